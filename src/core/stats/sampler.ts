import type { Clock, UsageReading } from '../ports.js';
import type { RuntimeKind, RuntimePort } from '../runtime/port.js';

/** A replica the sampler reads: a running replica (container or host process) of the live project. */
export interface StatsTarget {
  readonly service: string;
  readonly replica: number;
  readonly id: string;
  /** Container (or process) name. */
  readonly container: string;
  /** Which runtime reads it. */
  readonly runtime: RuntimeKind;
}

/** The latest figures of one replica. */
export interface ReplicaStats extends Omit<StatsTarget, 'runtime'> {
  /** When this reading was taken (the clock's ms). */
  readonly at: number;
  /** Share of one CPU × 100 (200 = two CPUs busy), as `docker stats`; absent until a second reading. */
  readonly cpuPercent?: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly memoryPercent?: number;
  /** Absent for a host process: it has no network of its own (see UsageReading). */
  readonly rxBytes?: number;
  readonly txBytes?: number;
  readonly pids?: number;
}

export interface StatsSamplerOptions {
  /** Where a replica's counters come from: its runtime (the engine, or /proc for a host process). */
  readonly runtimes: { kind(kind: RuntimeKind): Pick<RuntimePort, 'stats'> };
  readonly clock: Clock;
  /** The replicas to read now (running replicas of the live project), asked before each round. */
  readonly targets: () => readonly StatsTarget[];
  /** Time between rounds. */
  readonly intervalMs?: number;
  /** Sampling stops when nobody has read the figures for this long, and starts again on a read. */
  readonly idleMs?: number;
  /** Reads in flight at once, so 50 replicas do not queue 50 requests on the engine. */
  readonly concurrency?: number;
}

interface Waiter {
  readonly round: number;
  readonly resolve: () => void;
}

/**
 * The latest CPU, memory and network figures per replica, read from its runtime every ~2 s while
 * someone reads them (the dashboard, /metrics, `orch stats`, the autoscaler) and not at all
 * otherwise. Readers never wait on the engine: `latest()` answers from what the last round got.
 */
export class StatsSampler {
  private readonly intervalMs: number;
  private readonly idleMs: number;
  private readonly concurrency: number;
  private readonly figures = new Map<string, ReplicaStats>();
  /** The previous raw reading per replica id, for CPU % (its counters are cumulative). */
  private readonly previous = new Map<string, { raw: UsageReading; at: number }>();
  private readonly lifetime = new AbortController();
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private rounds = 0;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: StatsSamplerOptions) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.idleMs = opts.idleMs ?? 30_000;
    this.concurrency = opts.concurrency ?? 4;
  }

  /** Every replica's latest figures (in service, replica order); starts sampling if it was idle. */
  latest(): readonly ReplicaStats[] {
    this.touch();
    return [...this.figures.values()].sort(
      (a, b) => a.service.localeCompare(b.service) || a.replica - b.replica,
    );
  }

  /** One replica's latest figures. */
  of(service: string, replica: number): ReplicaStats | undefined {
    this.touch();
    return this.figures.get(key(service, replica));
  }

  /**
   * Figures no older than one interval, with a CPU % for every replica that has been running
   * that long: waits for up to two rounds (a first one only gives a CPU baseline).
   */
  async fresh(): Promise<readonly ReplicaStats[]> {
    this.touch();
    const current = (): boolean =>
      this.opts.clock.now() - this.lastRoundAt < this.intervalMs &&
      [...this.figures.values()].every((f) => f.cpuPercent !== undefined);
    if (!current()) {
      await this.afterRounds(1);
      if (!current()) await this.afterRounds(1);
    }
    return this.latest();
  }

  /** Stops sampling for good (the stack is going down). */
  close(): void {
    this.lifetime.abort();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private afterRounds(n: number): Promise<void> {
    if (this.lifetime.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ round: this.rounds + n, resolve }));
  }

  private touch(): void {
    this.lastReadAt = this.opts.clock.now();
    if (!this.running && !this.lifetime.signal.aborted) {
      this.running = true;
      void this.run();
    }
  }

  private async run(): Promise<void> {
    const { clock } = this.opts;
    try {
      while (!this.lifetime.signal.aborted && clock.now() - this.lastReadAt < this.idleMs) {
        await this.round();
        this.rounds++;
        this.lastRoundAt = clock.now();
        const due = this.waiters.filter((w) => w.round <= this.rounds);
        this.waiters = this.waiters.filter((w) => w.round > this.rounds);
        for (const w of due) w.resolve();
        await clock.sleep(this.intervalMs, this.lifetime.signal);
      }
    } catch {
      // aborted: the stack is going down
    } finally {
      this.running = false;
      // A read that came while the loop was deciding to stop must not wait forever.
      if (this.waiters.length > 0 && !this.lifetime.signal.aborted) this.touch();
    }
  }

  private async round(): Promise<void> {
    const targets = this.opts.targets();
    const live = new Set(targets.map((t) => key(t.service, t.replica)));
    const ids = new Set(targets.map((t) => t.id));
    for (let i = 0; i < targets.length; i += this.concurrency)
      await Promise.all(targets.slice(i, i + this.concurrency).map((t) => this.read(t)));
    for (const k of this.figures.keys()) if (!live.has(k)) this.figures.delete(k);
    for (const id of this.previous.keys()) if (!ids.has(id)) this.previous.delete(id);
  }

  private async read(t: StatsTarget): Promise<void> {
    let raw: UsageReading;
    try {
      raw = await this.opts.runtimes.kind(t.runtime).stats(t.id);
    } catch {
      // Stopped or removed between the list and the read: it has no figures now.
      this.figures.delete(key(t.service, t.replica));
      this.previous.delete(t.id);
      return;
    }
    const at = this.opts.clock.now();
    const prev = this.previous.get(t.id);
    this.previous.set(t.id, { raw, at });
    const cpu = prev ? cpuPercent(prev.raw, raw, at - prev.at) : undefined;
    const memoryPercent =
      raw.memoryLimitBytes > 0 ? round1((raw.memoryBytes / raw.memoryLimitBytes) * 100) : undefined;
    this.figures.set(key(t.service, t.replica), {
      service: t.service,
      replica: t.replica,
      id: t.id,
      container: t.container,
      at,
      ...(cpu !== undefined ? { cpuPercent: cpu } : {}),
      memoryBytes: raw.memoryBytes,
      memoryLimitBytes: raw.memoryLimitBytes,
      ...(memoryPercent !== undefined ? { memoryPercent } : {}),
      ...(raw.rxBytes !== undefined ? { rxBytes: raw.rxBytes } : {}),
      ...(raw.txBytes !== undefined ? { txBytes: raw.txBytes } : {}),
      ...(raw.pids !== undefined ? { pids: raw.pids } : {}),
    });
  }
}

/**
 * CPU % between two readings, as `docker stats` computes it (the container's share of the host's
 * CPU time, times the CPUs); by wall time when there is no host figure (a host process, or an
 * engine that gives none). Undefined when the counters went backwards (the container restarted
 * in between, or a host process's child ended unwaited-for).
 */
export function cpuPercent(prev: UsageReading, next: UsageReading, wallMs: number): number | undefined {
  const used = next.cpuTotalNs - prev.cpuTotalNs;
  if (used < 0) return undefined;
  const system = next.systemCpuNs - prev.systemCpuNs;
  if (next.systemCpuNs > 0 && system > 0) return round1((used / system) * next.onlineCpus * 100);
  if (wallMs > 0) return round1((used / (wallMs * 1e6)) * 100);
  return undefined;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function key(service: string, replica: number): string {
  return `${service}/${replica}`;
}
