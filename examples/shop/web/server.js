'use strict';
const http = require('node:http');

// On the host (orch up) `api` does not resolve: orch gives the api's gateway route as
// ORCH_API_URL (http://127.0.0.1:8080/api, which the api answers as it answers /visit). In a
// container (an export, Swarm) API_URL names the service on the stack's network.
const api = process.env.ORCH_API_URL || process.env.API_URL || 'http://api:3000';
const port = Number(process.env.PORT || 3000);

const page = (data) => `<!doctype html><title>shop</title>
<h1>${data.greeting}</h1><p>Visits: ${data.hits}, served by API replica <code>${data.replica}</code>.</p>`;

const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  console.log(`request ${req.method} ${req.url} request_id=${req.headers['x-request-id'] || '-'}`);
  const headers = req.headers['x-request-id'] ? { 'x-request-id': req.headers['x-request-id'] } : {};
  http
    .get(`${api}/visit`, { headers }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => {
        try {
          res.setHeader('content-type', 'text/html');
          res.end(page(JSON.parse(body)));
        } catch {
          res.statusCode = 502;
          res.end('api answered badly');
        }
      });
    })
    .on('error', (e) => {
      res.statusCode = 502;
      res.end(`api unreachable: ${e.message}`);
    });
});

server.listen(port, () => console.log(`web listening on ${port}, api at ${api}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
