import type {
  BalanceStrategy,
  BreakerPolicy,
  GatewayRoute,
  RetryPolicy,
  RouteBackend,
} from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toBool, toDuration, toInt, toStr, type Ctx } from './values.js';

/** `retries:` keys left out. */
export const RETRY_DEFAULTS = { attempts: 2, budget: 0.2 } as const;
/** `breaker:` keys left out. */
export const BREAKER_DEFAULTS: BreakerPolicy = { consecutiveFailures: 5, openForMs: 10_000 };

/** One entry of `x-orch.gateway.routes`, or undefined when it is not a mapping (the schema said so). */
export function parseRoute(ctx: Ctx, at: KeyPath, raw: unknown): GatewayRoute | undefined {
  if (!isRecord(raw)) return undefined;
  const routePath = toStr(raw['path']);
  const host = toStr(raw['host']);
  if (routePath === undefined && host === undefined)
    ctx.r.error(at, 'a gateway route needs `path` or `host`');
  if (routePath !== undefined && !routePath.startsWith('/')) {
    ctx.r.error([...at, 'path'], `route path \`${routePath}\` must start with /`);
  }
  const balance = (toStr(raw['balance']) ?? 'round_robin') as BalanceStrategy;
  const services = parseBackends(ctx, at, raw, balance);
  const retries = isRecord(raw['retries'])
    ? parseRetries(ctx, [...at, 'retries'], raw['retries'])
    : undefined;
  const breaker = isRecord(raw['breaker'])
    ? parseBreaker(ctx, [...at, 'breaker'], raw['breaker'])
    : undefined;
  return {
    ...(routePath !== undefined ? { path: routePath } : {}),
    ...(host !== undefined ? { host } : {}),
    service: services?.[0]?.service ?? toStr(raw['service']) ?? '',
    ...(services !== undefined ? { services } : {}),
    port: toInt(ctx, [...at, 'port'], raw['port'], 1) ?? 0,
    stripPrefix: toBool(ctx, [...at, 'strip_prefix'], raw['strip_prefix']) ?? false,
    balance,
    ...(retries !== undefined ? { retries } : {}),
    ...(breaker !== undefined ? { breaker } : {}),
    pos: ctx.r.pos(at),
  };
}

/** A route names one `service`, or (`balance: weighted`) a list of `services` with weights. */
function parseBackends(
  ctx: Ctx,
  at: KeyPath,
  raw: Record<string, unknown>,
  balance: BalanceStrategy,
): RouteBackend[] | undefined {
  const one = raw['service'];
  const many = raw['services'];
  const hasOne = one !== undefined && one !== null;
  const hasMany = many !== undefined && many !== null;
  if (hasOne && hasMany) {
    ctx.r.errorAtKey(
      [...at, 'services'],
      'a gateway route has either `service` or `services`, not both',
      'keep `services` (with `balance: weighted`) to split traffic, or `service` alone',
    );
  } else if (!hasOne && !hasMany) {
    ctx.r.error(at, 'a gateway route needs `service` (or `services` with `balance: weighted`)');
  }
  if (balance === 'weighted' && !hasMany) {
    ctx.r.errorAtKey(
      [...at, 'balance'],
      '`balance: weighted` needs `services: [{service, weight}, ...]`',
      'list the services and their weights, e.g. services: [{service: api, weight: 90}, {service: api-next, weight: 10}]',
    );
  }
  if (!hasMany || !Array.isArray(many)) return undefined;
  if (balance !== 'weighted') {
    ctx.r.errorAtKey(
      [...at, 'services'],
      '`services` splits traffic by weight and needs `balance: weighted`',
      'add `balance: weighted` to this route',
    );
  }
  const seen = new Set<string>();
  const out: RouteBackend[] = [];
  many.forEach((b, i) => {
    if (!isRecord(b)) return;
    const where = [...at, 'services', i];
    const service = toStr(b['service']) ?? '';
    const weight = toPositive(ctx, [...where, 'weight'], b['weight'], 'weight', WEIGHT_HINT);
    if (seen.has(service))
      ctx.r.error([...where, 'service'], `service \`${service}\` is listed twice in this route`);
    seen.add(service);
    if (weight !== undefined) out.push({ service, weight });
  });
  return out;
}

const WEIGHT_HINT = 'weights are relative shares: 90 and 10 send 90% and 10%';

function toPositive(ctx: Ctx, path: KeyPath, v: unknown, what: string, hint?: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 1) return n;
  ctx.r.error(path, `${what} \`${String(v)}\` must be a positive integer`, hint);
  return undefined;
}

function parseRetries(ctx: Ctx, at: KeyPath, r: Record<string, unknown>): RetryPolicy {
  const perTry = toDuration(ctx, [...at, 'per_try_timeout'], r['per_try_timeout'], true);
  if (perTry !== undefined && perTry <= 0)
    ctx.r.error([...at, 'per_try_timeout'], '`per_try_timeout` must be more than 0');
  return {
    attempts: toInt(ctx, [...at, 'attempts'], r['attempts']) ?? RETRY_DEFAULTS.attempts,
    ...(perTry !== undefined && perTry > 0 ? { perTryTimeoutMs: perTry } : {}),
    budget: toPercent(ctx, [...at, 'budget'], r['budget']) ?? RETRY_DEFAULTS.budget,
  };
}

/** `20%` (or a bare 20) as 0.2. */
function toPercent(ctx: Ctx, path: KeyPath, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(String(v));
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(n) || n > 100) {
    ctx.r.error(path, `\`${String(v)}\` is not a percentage from 0% to 100%`, 'write it like 20%');
    return undefined;
  }
  return n / 100;
}

/** `min_requests` when `error_rate` is set and it is not. */
export const MIN_REQUESTS_DEFAULT = 20;

function parseBreaker(ctx: Ctx, at: KeyPath, b: Record<string, unknown>): BreakerPolicy {
  const openFor = toDuration(ctx, [...at, 'open_for'], b['open_for'], true);
  const errorRate = toPercent(ctx, [...at, 'error_rate'], b['error_rate']);
  if (errorRate === 0) ctx.r.error([...at, 'error_rate'], '`error_rate` must be more than 0%');
  const minRequests = toPositive(ctx, [...at, 'min_requests'], b['min_requests'], 'min_requests');
  if (minRequests !== undefined && errorRate === undefined)
    ctx.r.errorAtKey(
      [...at, 'min_requests'],
      '`min_requests` only applies with `error_rate`',
      'add `error_rate: 50%`, say',
    );
  if (openFor !== undefined && openFor <= 0)
    ctx.r.error([...at, 'open_for'], '`open_for` must be more than 0');
  return {
    consecutiveFailures:
      toPositive(ctx, [...at, 'consecutive_failures'], b['consecutive_failures'], 'consecutive_failures') ??
      BREAKER_DEFAULTS.consecutiveFailures,
    openForMs: openFor !== undefined && openFor > 0 ? openFor : BREAKER_DEFAULTS.openForMs,
    ...(errorRate !== undefined && errorRate > 0
      ? { errorRate, minRequests: minRequests ?? MIN_REQUESTS_DEFAULT }
      : {}),
  };
}
