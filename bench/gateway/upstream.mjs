// A tiny keep-alive "hello" upstream for the gateway benchmark: node bench/gateway/upstream.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = Buffer.from('hello\n');
const server = createServer({ keepAliveTimeout: 65_000 }, (_req, res) => {
  res.writeHead(200, ['content-type', 'text/plain', 'content-length', String(body.length)]);
  res.end(body);
});
server.listen(port, '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
