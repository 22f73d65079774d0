import type { BreakerPolicy } from '../../model/project.js';
import { SlidingWindow } from './window.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One replica's circuit breaker. Closed: requests flow and consecutive failures (a 5xx, a failed
 * connection, a timed-out try) are counted; `consecutiveFailures` of them open it. Open: no
 * request for `openForMs`; then half-open (`due`): exactly one request, the probe, goes through;
 * its success closes the breaker, its failure opens it again for another `openForMs`.
 *
 * With `errorRate`, a closed breaker also opens when that share of the outcomes of the last 10 s
 * were failures, once there were at least `minRequests` of them (so one early failure is not 100%).
 *
 * Outcomes of requests sent before the breaker opened, and of non-probe requests still in flight
 * while it is half-open, are ignored: only the probe may decide.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private until = 0;
  private probing = false;
  /** a: outcomes, b: failures; only kept for an `errorRate`. */
  private readonly window: SlidingWindow | undefined;

  constructor(readonly policy: BreakerPolicy) {
    this.window = policy.errorRate === undefined ? undefined : new SlidingWindow();
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a new request may be sent to the replica now. */
  get admits(): boolean {
    return this.current === 'closed' || (this.current === 'half-open' && !this.probing);
  }

  /** When an open breaker turns half-open; undefined unless open. */
  get reopensAt(): number | undefined {
    return this.current === 'open' ? this.until : undefined;
  }

  /** A request is sent to the replica; returns true when it is the half-open probe. */
  sent(): boolean {
    if (this.current !== 'half-open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** A request's outcome; returns the new state when it changed. */
  record(ok: boolean, probe: boolean, now: number): BreakerState | undefined {
    switch (this.current) {
      case 'closed': {
        this.window?.add(now, 1, ok ? 0 : 1);
        if (ok) {
          this.failures = 0;
          return undefined;
        }
        this.failures++;
        return this.failures >= this.policy.consecutiveFailures || this.rateExceeded(now)
          ? this.open(now)
          : undefined;
      }
      case 'half-open':
        if (!probe) return undefined;
        this.probing = false;
        if (!ok) return this.open(now);
        this.current = 'closed';
        this.failures = 0;
        return 'closed';
      default:
        return undefined;
    }
  }

  /** The probe ended with no outcome (its client left): another request may probe. */
  abandoned(probe: boolean): void {
    if (probe && this.current === 'half-open') this.probing = false;
  }

  /** Moves an open breaker whose time is up to half-open; returns the new state when it changed. */
  due(now: number): BreakerState | undefined {
    if (this.current !== 'open' || now < this.until) return undefined;
    this.current = 'half-open';
    this.probing = false;
    return 'half-open';
  }

  private rateExceeded(now: number): boolean {
    const rate = this.policy.errorRate;
    if (this.window === undefined || rate === undefined) return false;
    const { a: outcomes, b: failures } = this.window.sums(now);
    return outcomes >= (this.policy.minRequests ?? 1) && failures >= rate * outcomes;
  }

  private open(now: number): BreakerState {
    // A closed breaker starts from a clean window: what led to opening it is not held against it.
    this.window?.clear();
    this.current = 'open';
    this.until = now + this.policy.openForMs;
    this.failures = 0;
    this.probing = false;
    return 'open';
  }
}
