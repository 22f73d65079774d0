import { quantileOfCounts, type ServiceLoad } from '../gateway/index.js';

interface Sample {
  readonly at: number;
  readonly inFlight: number;
  readonly latency: Uint32Array;
}

/**
 * The gateway's figures of one service over a sliding window: the mean of in-flight samples, and
 * the p95 of the requests that finished within the window (the newest latency counts minus the
 * oldest). A single tick's in-flight count is too jumpy to scale on; a mean over a few seconds
 * is what a person watching the stack would call "the load".
 */
export class LoadWindow {
  private samples: Sample[] = [];

  constructor(private readonly windowMs: number) {}

  add(at: number, load: ServiceLoad): void {
    const last = this.samples.at(-1);
    // The gateway rebuilt its routes (a live edit): counts started again, so must the window.
    if (last && total(load.latency) < total(last.latency)) this.samples = [];
    this.samples.push({ at, inFlight: load.inFlight, latency: load.latency });
    while (this.samples.length > 1 && at - (this.samples[0]?.at ?? at) > this.windowMs) this.samples.shift();
  }

  /** No sample yet (no gateway, or no route): nothing to decide on. */
  clear(): void {
    this.samples = [];
  }

  /** Mean requests in flight over the window. */
  inFlight(): number | undefined {
    if (this.samples.length === 0) return undefined;
    return this.samples.reduce((n, s) => n + s.inFlight, 0) / this.samples.length;
  }

  /** p95 latency (ms) of the requests finished within the window: 0 when none did. */
  p95(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || first === last) return undefined;
    const diff = Array.from(last.latency, (c, b) => Math.max(0, c - (first.latency[b] ?? 0)));
    return quantileOfCounts(diff, 0.95);
  }
}

function total(counts: Uint32Array): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}

/** The mean of a figure sampled each tick, over a sliding window (CPU % from the replicas' stats). */
export class MeanWindow {
  private samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs: number) {}

  /** `undefined` (no figure this tick) adds nothing; older samples still age out. */
  add(at: number, value: number | undefined): void {
    if (value !== undefined) this.samples.push({ at, value });
    this.samples = this.samples.filter((s) => at - s.at <= this.windowMs);
  }

  mean(): number | undefined {
    if (this.samples.length === 0) return undefined;
    return this.samples.reduce((n, s) => n + s.value, 0) / this.samples.length;
  }
}
