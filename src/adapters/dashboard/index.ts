import { join } from 'node:path';
import { DashboardServer } from './server.js';
import { loadIdentity, newToken, saveIdentity } from './identity.js';
import type { DashboardSource } from './source.js';

export { LogFeed } from './log-feed.js';
export { DashboardServer } from './server.js';
export type * from './source.js';

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the dashboard for `source` on 127.0.0.1. The port: `port` when given (a taken one is an
 * error), else the one this project's dashboard had last time, else any free one; the token is
 * kept too, so a page left open survives `orch up -d` replacing the supervisor.
 */
export async function serveDashboard(
  source: DashboardSource,
  opts: { readonly stateDir: string; readonly port?: number },
): Promise<RunningDashboard> {
  const file = join(opts.stateDir, 'dashboard.json');
  const saved = await loadIdentity(file);
  const token = saved.token ?? newToken();
  const wanted = opts.port !== undefined && opts.port !== 0 ? opts.port : undefined;
  let server = new DashboardServer(source, { port: wanted ?? saved.port ?? 0, token });
  try {
    await server.listen();
  } catch (e) {
    if (wanted !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    server = new DashboardServer(source, { port: 0, token });
    await server.listen();
  }
  await saveIdentity(file, { port: server.port, token, url: server.url });
  const s = server;
  return { url: s.url, port: s.port, close: () => s.close() };
}
