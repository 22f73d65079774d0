import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Timeline } from '../core/engine/timeline.js';
import type { Project } from '../model/project.js';
import type { Reconciler } from '../core/reconciler/index.js';
import type { Gateway } from '../adapters/gateway/index.js';
import { logStoreDir } from '../adapters/log-store-fs.js';
import type { StatsSampler } from '../core/stats/sampler.js';
import {
  LogFeed,
  serveDashboard,
  type DashboardAction,
  type DashboardEvents,
  type DashboardSource,
  type GraphView,
  type ReplicaView,
} from '../adapters/dashboard/index.js';
import { OrchError } from '../errors/index.js';

export interface DashboardParts {
  readonly project: Project;
  readonly stateDir: string;
  readonly session: Reconciler;
  readonly gateway: Gateway | undefined;
  readonly events: DashboardEvents;
  /** CPU and memory per replica (read from the engine only while someone looks). */
  readonly stats: StatsSampler;
  /** The Prometheus text of /metrics. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
  /** `--dashboard-port`, else `x-orch.dashboard.port`. */
  readonly port?: number;
}

export interface HostedDashboard {
  readonly url: string;
  close(): Promise<void>;
}

/** The dashboard of a hosted project: its source built over the session, gateway, log store and events. */
export async function hostDashboard(parts: DashboardParts): Promise<HostedDashboard> {
  const lifetime = new AbortController();
  const logs = new LogFeed(logStoreDir(parts.project.projectDir, parts.project.name));
  await logs.start();
  // The stack's event stream keeps its own history (a new supervisor reads its predecessor's back).
  const source = dashboardSource(parts, logs, parts.events, lifetime.signal);
  const port = parts.port ?? parts.project.orch.dashboard?.port;
  let running;
  try {
    running = await serveDashboard(source, {
      stateDir: parts.stateDir,
      ...(port !== undefined ? { port } : {}),
    });
  } catch (e) {
    logs.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new OrchError('PORT_TAKEN', `the dashboard port ${port ?? '?'} is taken`, {
        hint: 'choose another with --dashboard-port or x-orch.dashboard.port, or turn it off with --no-dashboard',
      });
    throw e;
  }
  return {
    url: running.url,
    async close() {
      lifetime.abort();
      await running.close();
      logs.close();
    },
  };
}

function dashboardSource(
  parts: DashboardParts,
  logs: LogFeed,
  events: DashboardEvents,
  signal: AbortSignal,
): DashboardSource {
  const { session, gateway, stats } = parts;
  return {
    project: parts.project.name,
    async replicas() {
      const now = Date.now();
      const rows = session.status();
      const byKey = new Map(session.tracker.all().map((r) => [`${r.service}/${r.replica}`, r]));
      return rows.map((row): ReplicaView => {
        const r = byKey.get(`${row.service}/${row.replica}`);
        const sup = session.supervisor.status(row.service, row.replica);
        const probe = r?.probeHistory.last();
        const use = stats.of(row.service, row.replica);
        return {
          ...row,
          id: r?.id ?? '',
          ...(probe
            ? { lastProbe: { ok: probe.ok, output: probe.detail, at: new Date(probe.at).toISOString() } }
            : {}),
          ...(sup?.nextRestartAt !== undefined ? { backoffMs: Math.max(0, sup.nextRestartAt - now) } : {}),
          ...(sup?.lastReason !== undefined ? { lastReason: sup.lastReason } : {}),
          endpoints: (r?.snapshot.ports ?? [])
            .filter((p) => p.protocol === 'tcp')
            .map((p) => `http://${localHost(p.hostIp)}:${p.hostPort}/`),
          ...(use?.cpuPercent !== undefined ? { cpuPercent: use.cpuPercent } : {}),
          ...(use ? { memoryBytes: use.memoryBytes } : {}),
        };
      });
    },
    graph(): GraphView {
      const project = session.current;
      const replicas = session.tracker.all();
      const services = Object.values(project.services).map((s) => ({
        name: s.name,
        replicas: s.replicas,
        dependsOn: Object.entries(s.dependsOn).map(([service, d]) => ({ service, condition: d.condition })),
      }));
      const startup = readStartup(parts.stateDir);
      if (startup) return { services, ...startup };
      return {
        services,
        timeline: Object.keys(project.services).map((service) => {
          const mine = replicas.filter((r) => r.service === service);
          const first = (xs: (number | undefined)[]): number | undefined => {
            const ok = xs.filter((x): x is number => x !== undefined && !Number.isNaN(x));
            return ok.length > 0 ? Math.min(...ok) : undefined;
          };
          const createdAt = first(mine.map((r) => Date.parse(r.snapshot.createdAt)));
          const startedAt = first(mine.map((r) => r.startedAt ?? Date.parse(r.snapshot.startedAt ?? '')));
          const healthyAt = first(mine.map((r) => r.healthyAt));
          return {
            service,
            ...(createdAt !== undefined ? { createdAt } : {}),
            ...(startedAt !== undefined ? { startedAt } : {}),
            ...(healthyAt !== undefined ? { healthyAt } : {}),
          };
        }),
      };
    },
    gateway() {
      const address = gateway?.address;
      return gateway && address ? { address, stats: gateway.stats() } : null;
    },
    events,
    logs,
    metrics: parts.metrics,
    act: (a) => act(a),
  };

  async function act(a: DashboardAction): Promise<void> {
    if (a.kind === 'scale') return session.scale(a.service, a.count);
    const r = session.tracker.of(a.service).find((x) => x.replica === a.replica);
    if (a.kind === 'restart') return session.replaceReplica(a.service, a.replica, signal);
    if (!r) throw new OrchError('USAGE', `no replica ${a.service}-${a.replica}`);
    // As `docker stop` / `docker start` would: the supervisor takes a stop by hand as the user's wish.
    const runtime = session.tracker.runtimeOf(r);
    if (a.kind === 'stop') return runtime.stop(r.id, 10_000);
    return runtime.start(r.id);
  }
}

const STARTUP = 'startup.json';

/** `up` keeps its start-up timeline for the dashboard (the supervisor adopts a stack already up). */
export async function recordStartup(stateDir: string, startedAt: number, timeline: Timeline): Promise<void> {
  try {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, STARTUP), JSON.stringify({ startedAt, timeline }));
  } catch {
    // only the graph's timeline is missing then
  }
}

function readStartup(stateDir: string): Pick<GraphView, 'timeline' | 'critical'> | undefined {
  try {
    const { startedAt, timeline } = JSON.parse(readFileSync(join(stateDir, STARTUP), 'utf8')) as {
      startedAt: number;
      timeline: Timeline;
    };
    const at = (ms: number | undefined): { v?: number } => (ms === undefined ? {} : { v: startedAt + ms });
    return {
      timeline: Object.entries(timeline.services).map(([service, t]) => {
        const c = at(t.created).v;
        const s = at(t.started).v;
        const h = at(t.ready).v;
        return {
          service,
          ...(c !== undefined ? { createdAt: c } : {}),
          ...(s !== undefined ? { startedAt: s } : {}),
          ...(h !== undefined ? { healthyAt: h } : {}),
        };
      }),
      critical: timeline.criticalPath,
    };
  } catch {
    return undefined;
  }
}

function localHost(ip: string): string {
  return ip === '0.0.0.0' || ip === '' || ip === '::' ? '127.0.0.1' : ip;
}

interface DashboardFlags {
  readonly 'no-dashboard'?: boolean | undefined;
  readonly 'dashboard-port'?: number | undefined;
}

/** `--no-dashboard` / `--dashboard-port` as the host's `dashboard` option. */
export function dashboardOption(flags: DashboardFlags): { dashboard?: { port?: number } } {
  if (flags['no-dashboard']) return {};
  const port = flags['dashboard-port'];
  return { dashboard: port !== undefined ? { port } : {} };
}

/** The same flags for the background supervisor's command line. */
export function dashboardArgs(flags: DashboardFlags): string[] {
  if (flags['no-dashboard']) return ['--no-dashboard'];
  const port = flags['dashboard-port'];
  return port !== undefined ? ['--dashboard-port', String(port)] : [];
}
