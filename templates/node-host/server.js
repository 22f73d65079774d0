// {{name}}: an HTTP service on Node built-ins, run on the host by orch (x-orch.process). The gateway
// routes /{{name}}/... to each replica on the PORT orch gives it,
// with the prefix stripped and an x-request-id header on every request.
// Containers of the project reach it at $ORCH_{{name}}_URL (upper-cased; see the README):
// listen on all addresses for that, as this does.
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const port = Number(process.env.PORT || {{port}});
const service = '{{name}}';

function log(fields) {
  console.log(JSON.stringify({ ts: new Date().toISOString(), service, ...fields }));
}

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/health') return res.end('ok');
  if (url.pathname === '/') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ service, replica: Number(process.env.ORCH_REPLICA || 1), time: new Date().toISOString() }));
  }
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: 'not found', path: url.pathname }));
}

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  // Keep the gateway's id so `orch logs --trace ID` finds this line; make one when called directly.
  const requestId = req.headers['x-request-id'] || randomUUID();
  res.setHeader('x-request-id', requestId);
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log({ msg: 'request', method: req.method, path: req.url, status: res.statusCode, ms: Math.round(ms * 10) / 10, request_id: requestId });
  });
  try {
    handle(req, res);
  } catch (err) {
    log({ msg: 'error', error: String(err && err.stack ? err.stack : err), request_id: requestId });
    res.statusCode = 500;
    res.end('internal error');
  }
});

server.listen(port, () => log({ msg: `listening on ${port}` }));

// Graceful stop: refuse new connections, let in-flight requests finish, then exit. A rolling
// restart drops nothing; a stuck request cannot hold the process past the grace period.
process.on('SIGTERM', () => {
  log({ msg: 'SIGTERM: draining' });
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 8000).unref();
});
