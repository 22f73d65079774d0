import {
  backoffMs,
  isRetryable,
  type Membership,
  type RouteState,
  type TryFailure,
  type Upstream,
} from '../../../core/gateway/index.js';
import type { ProxyEnv } from '../env.js';

/**
 * One request's tries on its route: the replicas tried, the retries made (route `retries`), and
 * the current try's circuit-breaker bookkeeping (whether it is the half-open probe, whether its
 * outcome was reported). The rules themselves are core's (retry, budget, breaker).
 */
export class Tries {
  retries = 0;
  /** Replicas already tried for this request: a retry goes elsewhere. */
  tried: Upstream[] | undefined;
  private probe = false;
  private reported = false;

  constructor(
    private readonly env: ProxyEnv,
    /** The membership the route belongs to (a live route edit swaps the gateway's, not this one). */
    private readonly membership: Membership,
    readonly rs: RouteState,
  ) {}

  /** `u` takes the next try. */
  take(u: Upstream): void {
    u.inFlight++;
    u.stats.begin();
    this.reported = false;
    this.probe = this.membership.sent(this.rs, u);
  }

  /** The current try's outcome (ok: answered below 500), for its replica's breaker; once per try. */
  report(u: Upstream, ok: boolean): void {
    if (this.reported || u.breaker === undefined) return;
    this.reported = true;
    const reopens = this.membership.outcome(this.rs, u, ok, this.probe);
    if (reopens !== undefined) this.env.wake(reopens);
  }

  /** The try on `u` is over without being the request's last (a retry or failover follows). */
  release(u: Upstream, status: number, failed: boolean, ms: number): void {
    u.inFlight--;
    u.stats.end(status, failed, ms);
  }

  /** Another replica is tried next, outside the route's `retries` (the gateway's failover). */
  exclude(u: Upstream): void {
    (this.tried ??= []).push(u);
  }

  /** The request ended on its try on `u`. */
  end(u: Upstream, status: number, failed: boolean, ms: number): void {
    // A probe that ended without an answer (its client left, say) decides nothing.
    if (!this.reported) this.membership.abandoned(this.rs, u, this.probe);
    this.release(u, status, failed, ms);
    if (!failed) this.rs.balancer.succeeded(u.key);
  }

  /** When the current try, sent now, must have its response head by. */
  deadline(now: number): number {
    const perTry = this.rs.route.retries?.perTryTimeoutMs;
    return perTry === undefined ? Infinity : now + perTry;
  }

  /**
   * The replica to retry the failed try on `u` with, when the route's `retries` allow it: attempts
   * left, a retryable failure, a replica not tried yet, and budget. The retry is counted then.
   */
  retryTo(u: Upstream, failure: TryFailure, method: string, hasBody: boolean): Upstream | undefined {
    const policy = this.rs.route.retries;
    if (policy === undefined || this.retries >= policy.attempts) return undefined;
    if (!isRetryable(failure, method, hasBody)) return undefined;
    const tried = [...(this.tried ?? []), u];
    const next = this.rs.balancer.pick(tried);
    if (next === undefined || this.rs.budget?.tryRetry() !== true) return undefined;
    this.tried = tried;
    this.retries++;
    this.rs.retries++;
    return next;
  }

  /** The jittered wait before the retry just granted. */
  backoff(): number {
    return backoffMs(this.retries, this.env.random);
  }
}
