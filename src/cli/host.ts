import { join } from 'node:path';
import type { Project } from '../model/project.js';
import { Gateway, type AccessEntry } from '../adapters/gateway/index.js';
import { ControlServer } from '../adapters/control/server.js';
import { socketPath, stateDir } from '../adapters/control/paths.js';
import { FileRestartLedger } from '../adapters/restart-ledger-fs.js';
import { Session } from '../core/session/session.js';
import type { EventBus } from '../core/events/bus.js';
import type { ReplicaTracker } from '../core/engine/replica-tracker.js';
import type { EngineDeps } from '../core/engine/up.js';
import { OrchError } from '../errors/index.js';
import type { LoadResult, ProjectFs } from '../project/index.js';
import { startWatch, type WatchHandle } from '../core/watch/index.js';
import { chokidarWatch, nodeHostFiles, recordingFs } from '../adapters/watch.js';
import { nodeProjectFs } from '../adapters/fs.js';

export interface HostOptions {
  readonly noGateway: boolean;
  readonly gatewayPort?: number;
  /** The running stack's event stream: presenters subscribe to it before the host starts. */
  readonly events: EventBus;
  readonly onAccess: (e: AccessEntry) => void;
  /** `--watch`; `x-orch.watch: true` turns it on as well. Needs `reload`. */
  readonly watch?: boolean;
  /** Loads the project again as the command line did, through `fs` (for the watcher). */
  readonly reload?: (fs: ProjectFs) => Promise<LoadResult>;
}

export interface HostedProject {
  readonly session: Session;
  readonly gateway: { host: string; port: number } | undefined;
  /** Resolves when a client asked the supervisor to shut down (`orch down`, a new `up`). */
  readonly shutdownRequested: Promise<void>;
  close(): Promise<void>;
}

/**
 * What runs while a project is up, in the foreground `up` or the background supervisor alike:
 * the session (supervision), the gateway and the control API that `ps`, `restart`, `scale` and
 * `down` talk to.
 */
export async function hostProject(
  project: Project,
  tracker: ReplicaTracker,
  deps: EngineDeps,
  opts: HostOptions,
): Promise<HostedProject> {
  let gateway: Gateway | undefined;
  if (project.orch.gateway && !opts.noGateway) {
    gateway = new Gateway(project.orch.gateway, {
      onAccess: opts.onAccess,
      ...(opts.gatewayPort !== undefined ? { portOverride: opts.gatewayPort } : {}),
    });
    await gateway.start();
  }
  const session = new Session(project, tracker, deps, {
    ...(gateway ? { gateway } : {}),
    ledger: new FileRestartLedger(join(stateDir(project), 'restarts.json')),
    events: opts.events,
  });
  session.start();

  let requestShutdown: () => void = () => undefined;
  const shutdownRequested = new Promise<void>((r) => (requestShutdown = r));
  const lifetime = new AbortController();
  const control = new ControlServer(socketPath(project), opts.events, {
    'GET /status': () =>
      Promise.resolve({
        project: project.name,
        pid: process.pid,
        gateway: gateway?.address ?? null,
        rows: session.status(),
      }),
    'GET /gateway': () => {
      if (!gateway)
        throw new OrchError('USAGE', 'this project has no gateway (x-orch.gateway) or it was disabled');
      return Promise.resolve({ address: gateway.address, stats: gateway.stats() });
    },
    'POST /restart': async (body) => {
      for (const s of stringList(body, 'services')) await session.restartService(s, lifetime.signal);
      return { rows: session.status() };
    },
    'POST /scale': async (body) => {
      const scales = (body as { scales?: Record<string, number> }).scales ?? {};
      for (const [s, n] of Object.entries(scales)) await session.scale(s, n);
      return { rows: session.status() };
    },
    'POST /shutdown': () => {
      setImmediate(requestShutdown);
      return Promise.resolve({ ok: true });
    },
  });
  await control.listen();

  let watch: WatchHandle | undefined;
  const reload = opts.reload;
  if ((opts.watch || project.orch.watch) && reload) {
    const load = async (): Promise<{ project: Project; read: string[] }> => {
      const rec = recordingFs(nodeProjectFs);
      const loaded = await reload(rec.fs);
      return { project: loaded.project, read: rec.read() };
    };
    watch = startWatch({
      session,
      docker: deps.docker,
      clock: deps.clock,
      watcher: chokidarWatch,
      files: nodeHostFiles,
      reload: load,
      projectFiles: (await load()).read,
      onEvent: (e) => opts.events.publish(e),
      signal: lifetime.signal,
    });
    await watch.ready;
  }

  return {
    session,
    gateway: gateway?.address,
    shutdownRequested,
    async close() {
      lifetime.abort();
      await watch?.close();
      session.close();
      await control.close();
      await gateway?.stop();
    },
  };
}

function stringList(body: unknown, key: string): string[] {
  const v = (body as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
