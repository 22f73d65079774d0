// {{name}}: an HTTP service backed by Redis. GET / counts visits; /health says whether the process
// serves; /ready also asks Redis. Behind `orch up`, the gateway routes /{{name}}/... here.
'use strict';
const http = require('node:http');
const os = require('node:os');
const { randomUUID } = require('node:crypto');
const { command } = require('./resp.js');

const port = Number(process.env.PORT || {{port}});
const redis = process.env.REDIS_HOST || 'redis';
const service = '{{name}}';

function log(fields) {
  console.log(JSON.stringify({ ts: new Date().toISOString(), service, ...fields }));
}

function json(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  // Liveness only: a Redis outage should not get every replica restarted.
  if (url.pathname === '/health') return res.end('ok');
  if (url.pathname === '/ready') return json(res, 200, { redis: await command(redis, ['PING']) });
  if (url.pathname === '/') {
    const visits = await command(redis, ['INCR', `${service}:visits`]);
    return json(res, 200, { service, visits, replica: os.hostname() });
  }
  json(res, 404, { error: 'not found', path: url.pathname });
}

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  const requestId = req.headers['x-request-id'] || randomUUID();
  res.setHeader('x-request-id', requestId);
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log({ msg: 'request', method: req.method, path: req.url, status: res.statusCode, ms: Math.round(ms * 10) / 10, request_id: requestId });
  });
  handle(req, res).catch((err) => {
    log({ msg: 'error', error: String(err && err.message ? err.message : err), request_id: requestId });
    if (!res.headersSent) json(res, 503, { error: 'redis unavailable' });
  });
});

server.listen(port, () => log({ msg: `listening on ${port}, redis at ${redis}` }));

process.on('SIGTERM', () => {
  log({ msg: 'SIGTERM: draining' });
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 8000).unref();
});
