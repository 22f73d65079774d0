import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { OrchError } from '../../errors/index.js';
import { errorCode } from './env.js';

export interface ServerHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function createGatewayServer(h: ServerHandlers): Server {
  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, h.request);
  server.on('upgrade', h.upgrade);
  // A malformed request from one client must not surface as an unhandled error.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
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
