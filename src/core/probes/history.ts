import type { ProbeResult, ProbeStatus } from './types.js';

/**
 * The last few results of one probe, kept so `up` can show *why* a service never became healthy
 * instead of only saying that it did not.
 */
export class ProbeHistory {
  private readonly results: ProbeResult[] = [];
  private current: ProbeStatus = 'starting';

  constructor(readonly capacity = 5) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  record(result: ProbeResult, status: ProbeStatus): void {
    this.results.push(result);
    if (this.results.length > this.capacity) this.results.shift();
    this.current = status;
  }

  /** Oldest first. */
  recent(): readonly ProbeResult[] {
    return [...this.results];
  }

  last(): ProbeResult | undefined {
    return this.results.at(-1);
  }

  get status(): ProbeStatus {
    return this.current;
  }
}
