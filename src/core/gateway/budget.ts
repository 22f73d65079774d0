import { SlidingWindow } from './window.js';

/** Retries allowed per window whatever the traffic, so a quiet route can still retry a blip. */
export const RETRY_FLOOR = 10;

/**
 * A route's retry budget: a retry is allowed while the retries of the last 10 s stay under
 * `ratio` × the requests of the last 10 s, plus a small floor (Finagle's and Linkerd's rule). When
 * every replica fails, retries stop at that share instead of multiplying the load on an outage.
 */
export class RetryBudget {
  /** a: requests, b: retries. */
  private readonly window = new SlidingWindow();

  constructor(
    readonly ratio: number,
    private readonly now: () => number,
    readonly floor = RETRY_FLOOR,
  ) {}

  /** A new client request on the route. */
  request(): void {
    this.window.add(this.now(), 1, 0);
  }

  /** Takes one retry from the budget when there is one left; false means do not retry. */
  tryRetry(): boolean {
    const now = this.now();
    const { a: requests, b: retries } = this.window.sums(now);
    if (retries >= this.floor + this.ratio * requests) return false;
    this.window.add(now, 0, 1);
    return true;
  }
}
