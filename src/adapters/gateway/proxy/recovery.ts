import { canRetry, isConnectFailure, isEjectable, isStaleReuse } from '../env.js';

/**
 * What follows a try's connection-level failure before any response byte:
 * - `reconnect`: a kept-alive connection the upstream closed as the request went out is not a dead
 *   replica: one more try on a new connection to the same one (once per request);
 * - `connect`/`reset`: the route has `retries`: a retry under its rules (the failure's kind);
 * - `failover`: no route `retries`: the gateway's one rule, another replica when that is safe;
 * - `answer`: a 502 to the client.
 */
export type Recovery = 'reconnect' | 'connect' | 'reset' | 'failover' | 'answer';

export function recovery(
  code: string,
  method: string,
  hasBody: boolean,
  /** The connection was a reused one and this request has not reconnected yet. */
  staleReuse: boolean,
  routeRetries: boolean,
): Recovery {
  if (staleReuse && isStaleReuse(code) && canRetry(code, method, hasBody)) return 'reconnect';
  if (!isEjectable(code)) return 'answer';
  if (routeRetries) return isConnectFailure(code) ? 'connect' : 'reset';
  return canRetry(code, method, hasBody) ? 'failover' : 'answer';
}
