import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { GatewayStats } from '../../core/gateway/stats.js';
import type { ReplicaStats } from '../../core/stats/sampler.js';
import type { OrchEvent } from '../../model/events.js';
import type { AccessEntry } from '../gateway/access.js';
import { RequestSeries } from './requests.js';

/** A replica as /metrics reports it (a `ps` row's figures). */
export interface MetricsReplica {
  readonly service: string;
  readonly replica: number;
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
}

/** Where the figures not counted from access entries and events are read, at each scrape. */
export interface MetricsSources {
  /** The gateway's own counters (for in-flight); undefined without a gateway. */
  readonly gateway: () => GatewayStats | undefined;
  readonly replicas: () => readonly MetricsReplica[];
  /** The sampler's latest figures (the engine's, /proc's for host processes). */
  readonly usage: () => readonly ReplicaStats[];
  /** The replica number of a container name (access entries name the container). */
  readonly replicaOf: (container: string) => number | undefined;
}

/** Breaker states as numbers, worse is higher (`orch_gateway_breaker_state`). */
const BREAKER_VALUE: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The stack's Prometheus series, in a registry of its own (not prom-client's global one, so two
 * stacks in one process, or tests, never mix). Requests are counted from the gateway's access
 * entries, which the gateway already hands out in batches after each I/O turn: the proxy does no
 * extra work per request. Those per-request series are kept by RequestSeries (plain numbers);
 * everything else is read when scraped.
 */
export class OrchMetrics {
  readonly registry = new Registry();
  private readonly requests = new RequestSeries((container) => this.replicaLabel(container));
  private readonly dropped: Counter;
  private readonly breakers = new Map<string, { service: string; replica: string; state: string }>();
  private readonly names = new Map<string, string>();

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    // Not prom-client's own classes, but what its registry asks of a metric (name, type, get()): the
    // registry writes them in the text format with the others.
    for (const m of this.requests.metrics()) this.registry.registerMetric(m as unknown as Metric);
    this.dropped = new Counter({
      name: 'orch_otlp_spans_dropped_total',
      help: 'Gateway spans not delivered to the OTLP collector (unreachable, refused, or queue full)',
      registers,
    });
    this.gauges(registers);
  }

  /** Counts one request (called from the gateway's access batches, never on the request path). */
  observe(e: AccessEntry): void {
    this.requests.observe(e);
  }

  /** Follows the event stream for breaker states. */
  onEvent(e: OrchEvent): void {
    if (e.type !== 'breaker') return;
    const replica = String(e.replica);
    this.breakers.set(`${e.service}/${replica}`, { service: e.service, replica, state: e.state });
  }

  /** Spans the OTLP export could not deliver. */
  spansDropped(n: number): void {
    this.dropped.inc(n);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The replica's number as the label (as events and `ps` name it), else the container name. */
  private replicaLabel(container: string): string {
    if (container === '') return '';
    let label = this.names.get(container);
    if (label === undefined) {
      const n = this.sources.replicaOf(container);
      label = n === undefined ? container : String(n);
      if (n !== undefined) this.names.set(container, label);
    }
    return label;
  }

  private gauges(registers: Registry[]): void {
    const { sources } = this;
    const breakers = this.breakers;
    const replicaLabel = (container: string): string => this.replicaLabel(container);
    new Gauge({
      name: 'orch_gateway_in_flight',
      help: 'Requests the gateway is forwarding now, by route and replica',
      labelNames: ['route', 'service', 'replica'],
      registers,
      collect() {
        this.reset();
        for (const r of sources.gateway()?.routes ?? [])
          for (const rep of r.replicas)
            this.set(
              { route: r.route, service: r.service, replica: replicaLabel(rep.replica) },
              rep.inFlight,
            );
      },
    });
    new Gauge({
      name: 'orch_gateway_breaker_state',
      help: 'Circuit breaker per replica: 0 closed, 1 half-open, 2 open',
      labelNames: ['service', 'replica'],
      registers,
      collect() {
        this.reset();
        for (const b of breakers.values())
          this.set({ service: b.service, replica: b.replica }, BREAKER_VALUE[b.state] ?? 0);
      },
    });
    const perReplica = (
      name: string,
      help: string,
      rows: () => readonly { service: string; replica: number; value: number | undefined }[],
    ): void =>
      void new Gauge({
        name,
        help,
        labelNames: ['service', 'replica'],
        registers,
        collect() {
          this.reset();
          for (const r of rows())
            if (r.value !== undefined) this.set({ service: r.service, replica: String(r.replica) }, r.value);
        },
      });
    const replicas = (pick: (r: MetricsReplica) => number | undefined) => () =>
      sources.replicas().map((r) => ({ service: r.service, replica: r.replica, value: pick(r) }));
    const usage = (pick: (r: ReplicaStats) => number | undefined) => () =>
      sources.usage().map((r) => ({ service: r.service, replica: r.replica, value: pick(r) }));
    perReplica(
      'orch_replica_restarts',
      'Restarts of the replica by the supervisor',
      replicas((r) => r.restarts),
    );
    perReplica(
      'orch_replica_healthy',
      'Whether the replica is healthy (1), or running when it has no health check; else 0',
      replicas((r) => (r.health === 'healthy' || (r.health === 'none' && r.state === 'running') ? 1 : 0)),
    );
    perReplica(
      'orch_replica_cpu_percent',
      'CPU use as docker stats shows it (100 = one CPU busy)',
      usage((r) => r.cpuPercent),
    );
    perReplica(
      'orch_replica_memory_bytes',
      'Memory in use: a container less the inactive file cache, a host process the RSS of its processes',
      usage((r) => r.memoryBytes),
    );
    perReplica(
      'orch_replica_memory_limit_bytes',
      'Memory limit of the replica (the host memory when none is set)',
      usage((r) => r.memoryLimitBytes),
    );
    perReplica(
      'orch_replica_network_receive_bytes',
      'Bytes received since the replica started (containers: a host process has no network of its own)',
      usage((r) => r.rxBytes),
    );
    perReplica(
      'orch_replica_network_transmit_bytes',
      'Bytes sent since the replica started (containers: a host process has no network of its own)',
      usage((r) => r.txBytes),
    );
  }
}
