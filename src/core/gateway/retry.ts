import type { RandomSource } from './balancer.js';

/** Methods a retry cannot make do twice what the client asked once (RFC 9110 §9.2.2). */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** How one try to a replica failed. */
export type TryFailure =
  /** The connection was never made: nothing was sent. */
  | { readonly kind: 'connect' }
  /** Refused, reset or closed after the request went out, before any response byte. */
  | { readonly kind: 'reset' }
  /** No response head within the try's timeout. */
  | { readonly kind: 'timeout' }
  /** The replica answered with this status. */
  | { readonly kind: 'status'; readonly status: number };

/** Statuses that say "try someone else" without the request having done anything. */
const RETRY_STATUSES = new Set([502, 503, 504]);

/**
 * Whether a failed try may be repeated on another replica: always when nothing was sent; else only
 * for an idempotent method without a body (bodies are streamed, not kept, so one already sent
 * cannot be replayed), and for a status only a gateway-ish 502/503/504.
 */
export function isRetryable(failure: TryFailure, method: string, hasBody: boolean): boolean {
  if (failure.kind === 'connect') return true;
  if (hasBody || !IDEMPOTENT.has(method)) return false;
  return failure.kind !== 'status' || RETRY_STATUSES.has(failure.status);
}

const BACKOFF_BASE_MS = 25;
const BACKOFF_MAX_MS = 250;

/**
 * The wait before retry number `n` (1-based): Envoy's 25 ms base doubling to 250 ms, with equal
 * jitter (half fixed, half random) so retries of many requests that failed together spread out.
 */
export function backoffMs(n: number, random: RandomSource): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(Math.max(n - 1, 0), 10));
  return Math.round(cap / 2 + random() * (cap / 2));
}
