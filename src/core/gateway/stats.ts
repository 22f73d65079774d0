/**
 * Latency as a log-linear histogram over microseconds: exact below 32µs, then 16 buckets per
 * power of two (≤ 6.25% relative error) up to ~35 minutes. Recording is a few integer operations
 * and no allocation, which is why it is used instead of a sorted reservoir on the request path.
 */
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
const LINEAR = 2 * SUB;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = LINEAR + (31 - (SUB_BITS + 1)) * SUB;

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const exp = 31 - Math.clz32(us);
  const sub = (us >>> (exp - SUB_BITS)) & (SUB - 1);
  return LINEAR + (exp - SUB_BITS - 1) * SUB + sub;
}

/** Lower bound of a bucket plus half its width, in microseconds. */
function bucketMid(b: number): number {
  if (b < LINEAR) return b;
  const exp = Math.floor((b - LINEAR) / SUB) + SUB_BITS + 1;
  const sub = (b - LINEAR) % SUB;
  const width = 2 ** (exp - SUB_BITS);
  return 2 ** exp + sub * width + width / 2;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(ms: number): void {
    const us = ms <= 0 ? 0 : ms * 1000 >= MAX_US ? MAX_US : Math.round(ms * 1000);
    const b = bucketOf(us);
    this.counts[b] = (this.counts[b] ?? 0) + 1;
    this.total++;
  }

  /** The q-quantile (0..1) in milliseconds, 0 when nothing was recorded. */
  quantile(q: number): number {
    return quantileOfCounts(this.counts, q);
  }

  /** A copy of the bucket counts: two of them, subtracted, are the latencies of a time window. */
  copyCounts(): Uint32Array {
    return this.counts.slice();
  }
}

/** The q-quantile (0..1) in milliseconds of bucket counts (a histogram's, or a difference of two). */
export function quantileOfCounts(counts: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b] ?? 0;
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let b = 0; b < counts.length; b++) {
    seen += counts[b] ?? 0;
    if (seen >= rank) return Math.round(bucketMid(b)) / 1000;
  }
  return MAX_US / 1000;
}

/**
 * What the gateway has seen of one service, over all routes to it: requests in flight now, and
 * the latency bucket counts since its routes were (re)built.
 */
export interface ServiceLoad {
  readonly inFlight: number;
  readonly latency: Uint32Array;
}

/** Counters for one route or one replica of a route. */
export class RequestStats {
  requests = 0;
  /** Requests answered 5xx (by the upstream or the gateway) or failed on the way. */
  errors = 0;
  inFlight = 0;
  readonly latency = new LatencyHistogram();

  begin(): void {
    this.inFlight++;
  }

  end(status: number, failed: boolean, ms: number): void {
    this.inFlight--;
    this.requests++;
    if (failed || status >= 500) this.errors++;
    this.latency.record(ms);
  }

  snapshot(): StatsSnapshot {
    return {
      requests: this.requests,
      errors: this.errors,
      inFlight: this.inFlight,
      p50Ms: this.latency.quantile(0.5),
      p99Ms: this.latency.quantile(0.99),
    };
  }
}

export interface StatsSnapshot {
  readonly requests: number;
  readonly errors: number;
  readonly inFlight: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface ReplicaStats extends StatsSnapshot {
  /** Container name. */
  readonly replica: string;
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly healthy: boolean;
  readonly ejected: boolean;
  /** The route's circuit breaker for this replica (`closed` when the route has none). */
  readonly breaker: 'closed' | 'open' | 'half-open';
}

export interface RouteStats extends StatsSnapshot {
  readonly route: string;
  readonly service: string;
  /** `balance: weighted`: the services and their weights. */
  readonly services?: readonly { readonly service: string; readonly weight: number }[];
  readonly balance: string;
  /** Retries the gateway made on this route. */
  readonly retries: number;
  readonly replicas: readonly ReplicaStats[];
}

/** JSON-able; counts since the gateway started. */
export interface GatewayStats {
  readonly routes: readonly RouteStats[];
}
