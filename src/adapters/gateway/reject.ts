import type { Socket } from 'node:net';
import { logAccess } from './access.js';
import { gatewayBody, type ProxyEnv } from './env.js';
import { gatewayResponse } from './http1/write.js';

/**
 * One access line for a request the gateway refused itself, so a user sees why a client was
 * turned away: status, `reason=<code>` and the message.
 */
export function logRejection(
  env: ProxyEnv,
  method: string,
  url: string,
  status: number,
  reason: string,
  message: string,
  requestId: string,
): void {
  logAccess(
    env.access,
    { method, url },
    { requestId, traceId: '' },
    status,
    0,
    undefined,
    undefined,
    status >= 500 ? message : undefined,
    reason,
  );
}

/** Method and target of a refused head, as far as they can be read, for its access line. */
export function requestLine(buf: Buffer | undefined): { method: string; url: string } {
  if (buf === undefined) return { method: '', url: '' };
  const eol = buf.indexOf(0x0a);
  const line = buf.toString('latin1', 0, Math.min(eol < 0 ? buf.length : eol, 300));
  const [method = '', url = ''] = line.split(' ');
  // Only printable bytes reach the log.
  const clean = (s: string): string => s.replace(/[^\x21-\x7e]/g, '?').slice(0, 200);
  return { method: clean(method), url: clean(url) };
}

/** Past `max_connections`: a 503 with the reason, and the connection closed. */
export function refuseConnection(env: ProxyEnv, socket: Socket): void {
  const id = env.ids.hex(16);
  const message = `more than ${env.limits.maxConnections} open client connections`;
  socket.on('error', () => undefined);
  socket.end(gatewayResponse(503, gatewayBody(503, message), { requestId: id, close: true }), () =>
    socket.destroy(),
  );
  logRejection(env, '', '', 503, 'too-many-connections', message, id);
}
