import type { Socket } from 'node:net';
import type { ProxyEnv } from './env.js';

/**
 * An Upgrade the upstream accepted with 101: from here on, bytes go both ways untouched. Only
 * what came after the 101 is piped: `toClient` is the rewritten 101 head and the upstream's bytes
 * after it, `toUpstream` what the client sent after its Upgrade request while it waited.
 */
export function tunnel(
  env: ProxyEnv,
  client: Socket,
  upstream: Socket,
  toClient: readonly (string | Buffer)[],
  toUpstream: Buffer | undefined,
  onClose: () => void,
): void {
  env.active++;
  env.tunnels.add(client);
  env.tunnels.add(upstream);
  let closed = false;
  // A tunnel is closed as a whole: WebSocket and friends end with their own closing handshake,
  // and keeping half-open sockets would leave both ends waiting for a FIN that never comes.
  const both = (): void => {
    if (closed) return;
    closed = true;
    env.active--;
    env.tunnels.delete(client);
    env.tunnels.delete(upstream);
    upstream.destroy();
    client.destroy();
    onClose();
  };
  for (const s of [client, upstream]) {
    s.on('close', both);
    s.on('end', both);
    s.on('error', both);
  }
  for (const b of toClient) {
    if (typeof b === 'string') client.write(b, 'latin1');
    else if (b.length > 0) client.write(b);
  }
  if (toUpstream !== undefined && toUpstream.length > 0) upstream.write(toUpstream);
  upstream.pipe(client);
  client.pipe(upstream);
  upstream.resume();
  client.resume();
  if (client.destroyed || upstream.destroyed) both();
}
