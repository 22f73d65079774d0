import { createServer, type Server, type Socket } from 'node:net';
import { OrchError } from '../../errors/index.js';
import { errorCode } from './env.js';

/**
 * The gateway's listening socket. It speaks HTTP/1.1 itself (see ./http1 and ./client.ts) rather
 * than through node:http (llhttp): measured with bench/gateway, node:http + undici gave 0.45–0.58×
 * nginx's single-worker throughput, this parser ≥ 0.75× (one read and one write per request each
 * way, no objects per header). The safety llhttp would give is kept by proof instead: the framing
 * rules are llhttp's, checked against node:http on every unit run (test/unit/gateway/framing:
 * a differential corpus and 10,000 fuzzed requests).
 */
export function createGatewayServer(onConnection: (socket: Socket) => void): Server {
  // Half-open: a client may send its request and shut its side; the answer still goes out.
  return createServer({ noDelay: true, allowHalfOpen: true }, onConnection);
}

/** Binds, turning "address in use" into the catalogue's PORT_TAKEN (exit 2). */
export function listen(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      const code = errorCode(err);
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        const what = code === 'EADDRINUSE' ? 'is already in use' : 'may not be bound by this user';
        reject(new OrchError('PORT_TAKEN', `the gateway port ${host}:${port} ${what}`, { cause: err }));
      } else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? { host, port: addr.port } : { host, port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}
