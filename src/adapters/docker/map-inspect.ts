import type {
  ContainerSnapshot,
  ContainerState,
  DockerHealthcheck,
  HealthStatus,
  PublishedPort,
} from '../../core/ports.js';

/**
 * The one place the engine's container JSON becomes orch's `ContainerSnapshot`. The input type
 * lists only what is read, and allows the nulls the engine really sends (e.g. `Ports` of a
 * stopped container, `Labels` of an image without any) that @types/dockerode leaves out.
 */
export interface InspectLike {
  readonly Id: string;
  readonly Name: string;
  readonly Created: string;
  readonly State: {
    readonly Status: string;
    readonly ExitCode: number;
    readonly StartedAt: string;
    readonly FinishedAt: string;
    readonly Health?: { readonly Status: string } | null | undefined;
  };
  readonly Config: {
    readonly Image: string;
    readonly Labels?: Record<string, string> | null | undefined;
    readonly Tty?: boolean | undefined;
    readonly Healthcheck?: EngineHealthConfig | null | undefined;
  };
  readonly NetworkSettings?:
    | {
        readonly Ports?:
          | Record<string, readonly { readonly HostIp: string; readonly HostPort: string }[] | null>
          | null
          | undefined;
      }
    | null
    | undefined;
}

/** Durations in nanoseconds; 0 or absent: the engine's default. */
export interface EngineHealthConfig {
  readonly Test?: readonly string[] | null | undefined;
  readonly Interval?: number | undefined;
  readonly Timeout?: number | undefined;
  readonly Retries?: number | undefined;
  readonly StartPeriod?: number | undefined;
  readonly StartInterval?: number | undefined;
}

/** The container's healthcheck as orch's port describes it; undefined when it has none. */
export function mapHealthcheck(hc: EngineHealthConfig | null | undefined): DockerHealthcheck | undefined {
  const test = hc?.Test ?? [];
  if (!hc || test.length === 0 || test[0] === 'NONE') return undefined;
  const ms = (ns: number | undefined): number | undefined => (ns ? Math.round(ns / 1_000_000) : undefined);
  const interval = ms(hc.Interval);
  const timeout = ms(hc.Timeout);
  const startPeriod = ms(hc.StartPeriod);
  const startInterval = ms(hc.StartInterval);
  return {
    test: [...test],
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
    ...(hc.Retries ? { retries: hc.Retries } : {}),
    ...(startPeriod !== undefined ? { startPeriodMs: startPeriod } : {}),
    ...(startInterval !== undefined ? { startIntervalMs: startInterval } : {}),
  };
}

const STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

export function mapState(status: string): ContainerState {
  const s = status.toLowerCase();
  // Unknown states come only from newer engines; "dead" is the safe reading (not running, not reusable).
  return (STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'dead';
}

export function mapHealth(status: string | undefined | null): HealthStatus {
  switch (status) {
    case 'starting':
    case 'healthy':
    case 'unhealthy':
      return status;
    default:
      return 'none';
  }
}

/** Docker writes Go's zero time (`0001-01-01T00:00:00Z`) for "never". */
export function engineTime(value: string | undefined | null): string | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function mapPorts(ports: NonNullable<InspectLike['NetworkSettings']>['Ports']): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [portText, proto] = key.split('/');
    const containerPort = Number(portText);
    if (!Number.isInteger(containerPort)) continue;
    for (const b of bindings ?? []) {
      const hostPort = Number(b.HostPort);
      if (!b.HostPort || !Number.isInteger(hostPort)) continue;
      out.push({
        containerPort,
        protocol: proto === 'udp' ? 'udp' : 'tcp',
        hostIp: b.HostIp || '0.0.0.0',
        hostPort,
      });
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || a.hostIp.localeCompare(b.hostIp));
}

export function mapInspect(info: InspectLike): ContainerSnapshot {
  const state = mapState(info.State.Status);
  const startedAt = engineTime(info.State.StartedAt);
  const healthcheck = mapHealthcheck(info.Config.Healthcheck);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    labels: { ...(info.Config.Labels ?? {}) },
    state,
    // The engine reports 0 for a container that never ran; only a finished run has an exit code.
    exitCode:
      state === 'exited' || state === 'dead' || (state === 'restarting' && startedAt !== null)
        ? info.State.ExitCode
        : null,
    health: mapHealth(info.State.Health?.Status),
    createdAt: engineTime(info.Created) ?? info.Created,
    startedAt,
    finishedAt: engineTime(info.State.FinishedAt),
    ports: mapPorts(info.NetworkSettings?.Ports),
    ...(healthcheck ? { healthcheck } : {}),
  };
}
