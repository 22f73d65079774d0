'use strict';
const http = require('node:http');
const os = require('node:os');
const { command } = require('./resp.js');

const redis = process.env.REDIS_HOST || 'redis';
const port = Number(process.env.PORT || 3000);

const server = http.createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  const id = req.headers['x-request-id'] || '-';
  console.log(JSON.stringify({ msg: 'request', method: req.method, path: req.url, request_id: id }));
  try {
    const hits = await command(redis, ['INCR', 'hits']);
    const greeting = await command(redis, ['GET', 'greeting']);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ greeting, hits, replica: os.hostname() }));
  } catch (e) {
    res.statusCode = 503;
    res.end(JSON.stringify({ error: String(e.message) }));
  }
});

server.listen(port, () => console.log(`api listening on ${port}`));
// Finish in-flight requests on SIGTERM so a rolling restart drops nothing.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
