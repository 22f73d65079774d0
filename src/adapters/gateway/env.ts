import type { Duplex } from 'node:stream';
import {
  IDEMPOTENT,
  type IdSource,
  type Membership,
  type RandomSource,
  type RouteTable,
  type Upstream,
} from '../../core/gateway/index.js';
import type { Clock } from '../../core/ports.js';
import type { AccessLog } from './access.js';
import { CONNECT_TIMEOUT, UPSTREAM_CLOSED, type UpstreamPools } from './http1/upstream.js';

/** What the gateway's periodic sweep looks at: exchanges waiting on an upstream. */
export interface Deadline {
  readonly deadline: number;
  timedOut(): void;
}

/** What the request handlers share: one per gateway. */
export interface ProxyEnv {
  /** Swapped as a whole by a live route edit. */
  table: RouteTable;
  membership: Membership;
  readonly pools: UpstreamPools;
  readonly ids: IdSource;
  /** Changed by a live edit of `x-orch.gateway.timeout`; requests read it when they start waiting. */
  timeoutMs: number;
  readonly access: AccessLog;
  /** Passive ejection of an upstream that refused or reset a connection. */
  eject(u: Upstream): void;
  /** Something (a breaker's open_for) ends at this wall-clock time: look at the membership then. */
  wake(at: number): void;
  /** Wall-clock time (access lines, idle and header timeouts), breakers, budgets and backoff sleeps. */
  readonly clock: Clock;
  /**
   * Monotonic milliseconds for request durations and deadlines: read a few times per request, so
   * it is performance.now() in production (sub-millisecond, no allocation) and a fake in tests.
   */
  readonly mono: () => number;
  /** Retry backoff jitter. */
  readonly random: RandomSource;
  /** Requests and tunnels in progress, so stop() can wait for them. */
  active: number;
  /** Sockets of open Upgrade tunnels (both ends), so stop() can close them. */
  readonly tunnels: Set<Duplex>;
  /** Exchanges with an upstream deadline (the sweep times them out: no timer per request). */
  readonly inflight: Set<Deadline>;
  /** stop() began: every response says `connection: close`. */
  draining: boolean;
  /** `x-orch.gateway` limits; a live edit applies to new heads and connections. */
  limits: GatewayLimits;
  /** Open client connections (tunnels included), against `limits.maxConnections`. */
  connections: number;
}

export interface GatewayLimits {
  readonly headerTimeoutMs: number;
  readonly maxHeaders: number;
  readonly maxConnections: number;
}

/** Connection failures that happen before anything is written: safe to retry with any method. */
export function isConnectFailure(code: string | undefined): boolean {
  switch (code) {
    case 'ECONNREFUSED':
    case CONNECT_TIMEOUT:
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return true;
    default:
      return false;
  }
}

/** Refused or reset before any response byte: the replica is taken out of rotation. */
export function isEjectable(code: string | undefined): boolean {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
    case UPSTREAM_CLOSED:
      return true;
    default:
      return isConnectFailure(code);
  }
}

/** How a kept-alive connection fails when the upstream closed it just as a request went out. */
export function isStaleReuse(code: string): boolean {
  return code === 'ECONNRESET' || code === 'EPIPE' || code === UPSTREAM_CLOSED;
}

export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

/**
 * Whether a request that failed before any response byte may go to another replica: nothing was
 * sent yet (connect failure), or an idempotent method without a body (bodies are streamed, not
 * buffered, so a body once read cannot be replayed).
 */
export function canRetry(code: string | undefined, method: string, hasBody: boolean): boolean {
  return isConnectFailure(code) || (!hasBody && IDEMPOTENT.has(method));
}

/** The gateway's own answers (no route, no replica, timeout): a small JSON body. */
export function gatewayBody(status: number, error: string, route?: string, service?: string): string {
  return JSON.stringify({
    status,
    error,
    ...(route !== undefined ? { route } : {}),
    ...(service !== undefined ? { service } : {}),
  });
}
