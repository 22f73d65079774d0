import { connect } from 'node:net';

export type SocketTarget = { readonly path: string } | { readonly host: string; readonly port: number };

/** An HTTP answer read whole. */
export interface SocketAnswer {
  readonly status: number;
  readonly body: string;
}

export const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * `GET path` as HTTP/1.0 on a connection of its own (the server answers and closes it), read
 * whole. Plain sockets rather than node:http for the CLI's start-up: loading node:http alone was
 * ~5% of `orch ps`'s instructions, and its first request ~10 ms of `orch logs`' start-up.
 * `timeoutMs`: how long the peer may stay silent before the call fails (code ETIMEDOUT).
 */
export function getOnce(target: SocketTarget, path: string, timeoutMs?: number): Promise<SocketAnswer> {
  return new Promise<SocketAnswer>((resolve, reject) => {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    if (timeoutMs !== undefined)
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(Object.assign(new Error(`no answer to GET ${path} in time`), { code: 'ETIMEDOUT' })),
      );
    socket.write(`GET ${path} HTTP/1.0\r\nHost: orch\r\nUser-Agent: orch\r\n\r\n`);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        const all = Buffer.concat(chunks);
        const end = all.indexOf(HEADER_END);
        if (end === -1) throw new Error(`closed GET ${path} before answering`);
        const status = statusOf(all.toString('latin1', 0, end));
        resolve({ status, body: all.toString('utf8', end + HEADER_END.length) });
      } catch (e) {
        reject(e);
      }
    });
  });
}

export function statusOf(head: string): number {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(head);
  if (!m?.[1]) throw new Error(`answered with something other than HTTP: ${head.slice(0, 40)}`);
  return Number(m[1]);
}
