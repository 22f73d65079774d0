import { readFile } from 'node:fs/promises';
import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import { systemClock } from '../adapters/clock.js';
import { nodeNetProbe } from '../adapters/net-probe.js';
import { runProbe, startIntervalOf } from '../core/probes/index.js';
import type { EngineDeps } from '../core/engine/up.js';
import type { ProbeStarter } from '../core/engine/replica-tracker.js';
import type { DockerPort } from '../core/ports.js';
import { listAll } from '../core/runtime/runtimes.js';
import { stackRuntimes, type ServedGateway } from './runtimes.js';
import { join } from 'node:path';
import type { Project } from '../model/project.js';
import { Gateway, type AccessEntry } from '../adapters/gateway/index.js';
import { ControlServer } from '../adapters/control/server.js';
import { socketPath, stateDir } from '../adapters/control/paths.js';
import { FileRestartLedger } from '../adapters/restart-ledger-fs.js';
import { chokidarWatch, nodeHostFiles, recordingFs } from '../adapters/watch.js';
import { nodeProjectFs } from '../adapters/fs.js';
import { Reconciler, type StatusRow } from '../core/reconciler/index.js';
import { ReplicaTracker } from '../core/engine/replica-tracker.js';
import { EventBus, type EventListener, type EventSource } from '../core/events/bus.js';
import { Autoscaler } from '../core/autoscale/index.js';
import { LiveProject, type ProjectRef } from '../core/live-project.js';
import type { OrchEvent } from '../model/events.js';
import { startWatch, type WatchHandle } from '../core/watch/index.js';
import { OrchError } from '../errors/index.js';
import type { LoadResult, ProjectFs } from '../project/index.js';
import { StatsSampler } from '../core/stats/sampler.js';
import { hostDashboard } from './dashboard.js';
import { startTelemetry, type StackTelemetry } from './telemetry.js';
import { runKey, type Handover } from './handover.js';

/**
 * The one place where real adapters are built and handed to the core, and the running stack
 * assembled. `projectDir`: the project's directory, where host processes keep their state;
 * without it (no project, as for `doctor`) only containers run. `preloadClient`: load the engine
 * client now, while the caller waits on something else (see DockerodeAdapter.preload).
 * `gateway`: this orch serves the gateway (on `port` when a flag says), so host processes it
 * starts are told its address.
 */
export function engineDeps(
  opts: { projectDir?: string; preloadClient?: boolean; gateway?: ServedGateway } = {},
): EngineDeps {
  const { projectDir } = opts;
  const adapter = new DockerodeAdapter();
  if (opts.preloadClient) adapter.preload();
  const docker: DockerPort = adapter;
  const clock = systemClock;
  const net = nodeNetProbe;
  const files = { readFile: (p: string) => readFile(p), env: process.env };
  const runtimes = stackRuntimes(docker, files, projectDir, opts.gateway);
  const startProbe: ProbeStarter = (service, replica, signal, onChange, history) => {
    const probe = service.orch.probe;
    if (!probe) return Promise.resolve();
    const runtime = runtimes.kind(replica.runtime);
    const target = {
      replicaId: replica.id,
      hostAddress(containerPort: number) {
        const p = replica.snapshot.ports.find(
          (x) => x.containerPort === containerPort && x.protocol === 'tcp',
        );
        if (!p) return undefined;
        // A port bound to every address is still reached over loopback from the host.
        const host =
          p.hostIp === '0.0.0.0' || p.hostIp === '' ? '127.0.0.1' : p.hostIp === '::' ? '::1' : p.hostIp;
        return { host, port: p.hostPort };
      },
    };
    return runProbe(probe, target, { clock, net, runtime }, signal, onChange, history, {
      startIntervalMs: startIntervalOf(service),
    });
  };
  return { docker, runtimes, clock, startProbe, ...files };
}

export interface StackOptions {
  readonly noGateway: boolean;
  readonly gatewayPort?: number;
  /** `--watch`; `x-orch.watch: true` turns it on as well. Needs `reload`. */
  readonly watch?: boolean;
  /** Loads the project again as the command line did, through `fs` (for the watcher). */
  readonly reload?: (fs: ProjectFs) => Promise<LoadResult>;
  /** The gateway's access lines: log lines (the log stream and store), not events. */
  readonly onAccess: (e: AccessEntry) => void;
  /** Presenters and sinks of the event stream, subscribed before anything runs so none misses one. */
  readonly listeners: readonly EventListener[];
  /** Events of an earlier run of the same stack, replayed by `orch events --since` as well. */
  readonly history?: readonly OrchEvent[];
  /** Serve the dashboard (`--no-dashboard` leaves this out); `port` from `--dashboard-port`. */
  readonly dashboard?: { readonly port?: number };
  /** Where a telemetry warning goes (a collector that cannot be reached); stderr by default. */
  readonly warn?: (line: string) => void;
}

/** The replicas a stack starts from: those `up` just started, or those adopted by label. */
export interface StackStart {
  readonly tracker: ReplicaTracker;
  readonly live: LiveProject;
}

export interface RunningStack {
  /** Everything that happens to the stack, with history (what `orch events` and the control API serve). */
  readonly events: EventSource;
  /** The project as it runs now (live edits and scales included). */
  readonly live: ProjectRef;
  readonly gateway: { host: string; port: number } | undefined;
  /** The dashboard's URL (with its token), when it is served. */
  readonly dashboard: string | undefined;
  /** Rows for `ps`: the engine's facts plus the supervisor's view. */
  status(): StatusRow[];
  /** CPU, memory and network per running replica (the dashboard, /metrics, `orch stats`, autoscaling). */
  readonly stats: StatsSampler;
  /** Resolves when a client asked the stack to let go (`orch down`, a new `up -d`). */
  readonly shutdownRequested: Promise<void>;
  close(): Promise<void>;
}

/**
 * The one running stack, the same for the foreground `up`, the background supervisor and
 * `smoke`: the event bus, the reconciler (supervision, scale, rollouts, live edits), the gateway, the control API that `ps`,
 * `restart`, `scale`, `events` and `down` talk to, and the watcher. Each command is a presenter:
 * it subscribes its listeners and decides when to close.
 */
export async function runStack(
  start: StackStart,
  deps: EngineDeps,
  opts: StackOptions,
): Promise<RunningStack> {
  const project = start.live.current;
  const events = new EventBus(deps.clock);
  if (opts.history) events.seed(opts.history);
  for (const l of opts.listeners) events.subscribe(l);
  let gateway: Gateway | undefined;
  // Set once the reconciler exists (the gateway has no members to answer from before that); the
  // gateway's callback, made first, reads it.
  // eslint-disable-next-line prefer-const
  let telemetry: StackTelemetry | undefined;
  if (project.orch.gateway && !opts.noGateway) {
    gateway = new Gateway(project.orch.gateway, {
      onAccess: (e) => {
        telemetry?.access(e);
        opts.onAccess(e);
      },
      clock: deps.clock,
      onBreaker: (c) =>
        events.publish({
          type: 'breaker',
          service: c.service,
          replica: c.replica,
          state: c.state,
          route: c.route,
        }),
      ...(opts.gatewayPort !== undefined ? { portOverride: opts.gatewayPort } : {}),
    });
    await gateway.start();
  }
  const reconciler = new Reconciler(start.live, start.tracker, deps, {
    ...(gateway ? { gateway } : {}),
    ledger: new FileRestartLedger(join(stateDir(project), 'restarts.json')),
    events,
  });
  reconciler.start();
  const stats = new StatsSampler({
    runtimes: deps.runtimes,
    clock: deps.clock,
    targets: () =>
      reconciler.tracker
        .all()
        .filter((r) => r.state === 'running')
        .map((r) => ({
          service: r.service,
          replica: r.replica,
          id: r.id,
          container: r.name,
          runtime: r.runtime,
        })),
  });
  const gw = gateway;
  telemetry = startTelemetry({
    project,
    env: process.env,
    warn: opts.warn ?? ((line) => void process.stderr.write(`${line}\n`)),
    sources: {
      gateway: () => gw?.stats(),
      replicas: () => reconciler.status(),
      usage: () => stats.latest(),
      replicaOf: (name) => reconciler.tracker.all().find((r) => r.name === name)?.replica,
    },
  });
  const tel = telemetry;
  for (const e of events.history()) tel.event(e);
  events.subscribe((e) => tel.event(e));
  const dashboard = opts.dashboard
    ? await hostDashboard({
        project,
        stateDir: stateDir(project),
        session: reconciler,
        gateway,
        events,
        stats,
        metrics: () => tel.metrics(),
        ...(opts.dashboard.port !== undefined ? { port: opts.dashboard.port } : {}),
      })
    : undefined;

  let requestShutdown: () => void = () => undefined;
  const shutdownRequested = new Promise<void>((r) => (requestShutdown = r));
  const lifetime = new AbortController();
  const control = new ControlServer(socketPath(project), events, {
    'GET /status': () =>
      Promise.resolve({
        project: project.name,
        pid: process.pid,
        gateway: gateway?.address ?? null,
        dashboard: dashboard?.url ?? null,
        rows: reconciler.status(),
      }),
    'GET /gateway': () => {
      if (!gateway)
        throw new OrchError('USAGE', 'this project has no gateway (x-orch.gateway) or it was disabled');
      return Promise.resolve({ address: gateway.address, stats: gateway.stats() });
    },
    'GET /stats': async () => ({ replicas: await stats.fresh() }),
    'POST /restart': async (body) => {
      for (const s of stringList(body, 'services')) await reconciler.restartService(s, lifetime.signal);
      return { rows: reconciler.status() };
    },
    'POST /scale': async (body) => {
      const scales = (body as { scales?: Record<string, number> }).scales ?? {};
      for (const [s, n] of Object.entries(scales)) await reconciler.scale(s, n);
      return { rows: reconciler.status() };
    },
    'POST /shutdown': () => {
      setImmediate(requestShutdown);
      return Promise.resolve({ ok: true });
    },
  });
  await control.listen();

  // Always running (a tick with nothing to scale costs nothing): a live edit may add autoscaling.
  const autoscaling = new Autoscaler({
    live: start.live,
    scaler: { scale: (service, count) => reconciler.scale(service, count) },
    figures: {
      load: (service) => gateway?.load(service),
      // Read only for cpu_percent services, so the sampler runs only when something needs it.
      cpuPercent: (service) => {
        const cpu = stats.latest().flatMap((r) => (r.service === service ? (r.cpuPercent ?? []) : []));
        return cpu.length === 0 ? undefined : cpu.reduce((a, b) => a + b, 0) / cpu.length;
      },
    },
    clock: deps.clock,
    events,
  }).run(lifetime.signal);

  let watch: WatchHandle | undefined;
  const reload = opts.reload;
  if ((opts.watch || project.orch.watch) && reload) {
    const load = async (): Promise<{ project: Project; read: string[] }> => {
      const rec = recordingFs(nodeProjectFs);
      const loaded = await reload(rec.fs);
      return { project: loaded.project, read: rec.read() };
    };
    watch = startWatch({
      session: reconciler,
      docker: deps.docker,
      clock: deps.clock,
      watcher: chokidarWatch,
      files: nodeHostFiles,
      reload: load,
      projectFiles: (await load()).read,
      onEvent: (e) => events.publish(e),
      signal: lifetime.signal,
    });
    await watch.ready;
  }

  return {
    events,
    live: start.live,
    gateway: gateway?.address,
    dashboard: dashboard?.url,
    status: () => reconciler.status(),
    stats,
    shutdownRequested,
    async close() {
      lifetime.abort();
      stats.close();
      await autoscaling;
      await watch?.close();
      await dashboard?.close();
      reconciler.close();
      await control.close();
      await gateway?.stop();
      await tel.close();
    },
  };
}

/**
 * The background supervisor's start: the project's containers found by label (recreating none),
 * followed from now on until `signal` aborts.
 */
export async function adoptProject(
  project: Project,
  deps: EngineDeps,
  signal: AbortSignal,
  handover: Handover = { startChecked: [] },
): Promise<StackStart> {
  const live = new LiveProject(project);
  const tracker = new ReplicaTracker(
    { runtimes: deps.runtimes, clock: deps.clock, startProbe: deps.startProbe },
    live,
  );
  tracker.follow(project.name, signal);
  const checked = new Set(handover.startChecked);
  for (const r of await listAll(deps.runtimes, project.name))
    tracker.track(r, { startChecked: checked.has(runKey(r)) });
  return { tracker, live };
}

function stringList(body: unknown, key: string): string[] {
  const v = (body as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
