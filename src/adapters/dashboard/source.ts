import type { GatewayStats } from '../../core/gateway/stats.js';
import type { LogRecord } from '../../core/logs/types.js';

/**
 * What the dashboard needs of a running stack. The host (foreground `up` or the background
 * supervisor) implements it over its session, gateway, log store and event stream; tests implement
 * it with plain objects. Everything here is JSON-able: the HTTP API returns it as it is.
 */
export interface DashboardSource {
  readonly project: string;
  /** One row per replica. */
  replicas(): Promise<readonly ReplicaView[]>;
  /** The services, their dependencies, and when each came up. */
  graph(): GraphView;
  /** Per route and replica; null when the project has no gateway. */
  gateway(): GatewayView | null;
  readonly events: DashboardEvents;
  readonly logs: DashboardLogs;
  act(action: DashboardAction): Promise<void>;
  /** `GET /metrics`: Prometheus text; absent: 404. */
  metrics?(): Promise<{ readonly contentType: string; readonly text: string }>;
}

/** One replica as the Services page shows it. */
export interface ReplicaView {
  readonly service: string;
  readonly replica: number;
  /** Container name (or process name). */
  readonly container: string;
  /** Container id (or pid): a restart that replaces the replica changes it. */
  readonly id: string;
  readonly state: string;
  readonly health: string;
  /** The last probe's (or Docker healthcheck's) output, when there is one. */
  readonly lastProbe?: { readonly ok: boolean; readonly output: string; readonly at?: string };
  readonly restarts: number;
  /** Milliseconds until the pending restart, while one is scheduled. */
  readonly backoffMs?: number;
  readonly lastReason?: string;
  /** Published ports as URLs (`http://127.0.0.1:49153/`). */
  readonly endpoints: readonly string[];
  readonly startedAt: string | null;
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
}

export interface GraphView {
  readonly services: readonly {
    readonly name: string;
    readonly replicas: number;
    readonly dependsOn: readonly { readonly service: string; readonly condition: string }[];
  }[];
  /** When each service was created, started and healthy (epoch ms), as far as known. */
  readonly timeline: readonly {
    readonly service: string;
    readonly createdAt?: number;
    readonly startedAt?: number;
    readonly healthyAt?: number;
  }[];
  /** The chain of services that decided when the stack was ready, first dependency first. */
  readonly critical?: readonly string[];
}

export interface GatewayView {
  readonly address: { readonly host: string; readonly port: number };
  readonly stats: GatewayStats;
}

/**
 * The running stack's event stream (structurally the event bus's `EventSource`): `time` (RFC 3339)
 * and `type` on every event, `service` and `replica` where they apply.
 */
export interface DashboardEvent {
  readonly time: string;
  readonly type: string;
  readonly service?: string;
  readonly replica?: number;
}

export interface DashboardEvents {
  subscribe(listener: (e: DashboardEvent) => void): () => void;
  history(sinceMs?: number): readonly DashboardEvent[];
}

export interface LogFilter {
  readonly services?: readonly string[];
  readonly grep?: RegExp;
  /** At most this many, the newest. */
  readonly limit: number;
}

export interface DashboardLogs {
  /** Recent lines, oldest first (newest `limit` of those that pass the filter). */
  recent(filter: LogFilter): readonly LogRecord[];
  /** New lines as they are stored, in batches. */
  subscribe(listener: (batch: readonly LogRecord[]) => void): () => void;
  /** Every stored line of one request or trace, in time order (gateway line included). */
  trace(id: string): Promise<readonly LogRecord[]>;
}

export type DashboardAction =
  | { readonly kind: 'restart' | 'stop' | 'start'; readonly service: string; readonly replica: number }
  | { readonly kind: 'scale'; readonly service: string; readonly count: number };
