// {{name}}: serves ./public. Small on purpose; put a CDN or a real web server in front in production.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const port = Number(process.env.PORT || {{port}});
const root = path.join(__dirname, 'public');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function log(fields) {
  console.log(JSON.stringify({ ts: new Date().toISOString(), service: '{{name}}', ...fields }));
}

const server = http.createServer((req, res) => {
  const requestId = req.headers['x-request-id'] || '-';
  res.on('finish', () => log({ msg: 'request', method: req.method, path: req.url, status: res.statusCode, request_id: requestId }));
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health') return res.end('ok');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.statusCode = 405;
    return res.end();
  }
  let rel;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    res.statusCode = 400;
    return res.end('bad path');
  }
  // Resolve inside ./public only: `..` cannot climb out.
  let file = path.join(root, path.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.statusCode = 403;
    return res.end('forbidden');
  }
  if (rel.endsWith('/')) file = path.join(file, 'index.html');
  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) file = path.join(file, 'index.html');
    const stream = fs.createReadStream(file);
    stream.on('open', () => {
      res.setHeader('content-type', types[path.extname(file)] || 'application/octet-stream');
      if (req.method === 'HEAD') return stream.destroy(), res.end();
      stream.pipe(res);
    });
    stream.on('error', () => {
      res.statusCode = 404;
      res.end('not found');
    });
  });
});

server.listen(port, () => log({ msg: `serving ${root} on ${port}` }));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
});
