import {
  routeServices,
  type BalanceStrategy,
  type BreakerPolicy,
  type GatewayRoute,
  type RetryPolicy,
  type RouteBackend,
} from '../../model/project.js';

/** A route ready for matching: host lower-cased, prefix without a trailing slash. */
export interface CompiledRoute {
  /** Position in the project file's list, for stable ordering and stats. */
  readonly index: number;
  /** How the route is named in errors, stats and access lines: `/api`, `api.localhost`, `api.localhost/v1`. */
  readonly label: string;
  /** The service (a weighted route's first). */
  readonly service: string;
  /** Every service the route sends to. */
  readonly services: readonly string[];
  /** `balance: weighted`: the split. */
  readonly weights?: readonly RouteBackend[];
  /** Container port of the service(s). */
  readonly port: number;
  readonly host: string | null;
  readonly prefix: string;
  readonly stripPrefix: boolean;
  readonly balance: BalanceStrategy;
  readonly retries?: RetryPolicy;
  readonly breaker?: BreakerPolicy;
}

export interface RouteTable {
  /** In precedence order: host routes first, then longer prefixes first, then file order. */
  readonly routes: readonly CompiledRoute[];
  /** When no route names a host, matching never needs to look at the Host header. */
  readonly anyHost: boolean;
}

function normalizePrefix(path: string | undefined): string {
  if (path === undefined || path === '' || path === '/') return '/';
  let p = path.startsWith('/') ? path : `/${path}`;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function compileRoutes(routes: readonly GatewayRoute[]): RouteTable {
  const compiled = routes.map((r, index): CompiledRoute => {
    const host = r.host === undefined || r.host === '' ? null : hostName(r.host);
    const prefix = normalizePrefix(r.path);
    const label = host === null ? prefix : prefix === '/' ? host : `${host}${prefix}`;
    return {
      index,
      label,
      service: r.service,
      services: routeServices(r),
      ...(r.services !== undefined ? { weights: r.services } : {}),
      port: r.port,
      host,
      prefix,
      stripPrefix: r.stripPrefix,
      balance: r.balance,
      ...(r.retries !== undefined ? { retries: r.retries } : {}),
      ...(r.breaker !== undefined ? { breaker: r.breaker } : {}),
    };
  });
  compiled.sort(
    (a, b) =>
      Number(b.host !== null) - Number(a.host !== null) ||
      b.prefix.length - a.prefix.length ||
      a.index - b.index,
  );
  return { routes: compiled, anyHost: compiled.some((r) => r.host !== null) };
}

/** The host part of a Host header: lower-cased, port and IPv6 brackets' port removed. */
export function hostName(header: string): string {
  let end = header.length;
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    if (close > 0) end = close + 1;
  } else {
    const colon = header.indexOf(':');
    if (colon >= 0) end = colon;
  }
  const h = end === header.length ? header : header.slice(0, end);
  // Most clients already send lower case; avoid a copy then.
  return /[A-Z]/.test(h) ? h.toLowerCase() : h;
}

/** `/api` matches `/api`, `/api/x`, `/api?q` but not `/apix`; `/` matches every path. */
export function prefixMatches(prefix: string, url: string): boolean {
  if (prefix.length === 1) return true;
  if (!url.startsWith(prefix)) return false;
  if (url.length === prefix.length) return true;
  const next = url.charCodeAt(prefix.length);
  return next === 47 /* / */ || next === 63; /* ? */
}

/**
 * Host routes first (the first whose host equals the request's), then host-less routes; within
 * each, the longest prefix on a segment boundary wins.
 */
export function matchRoute(
  table: RouteTable,
  hostHeader: string | undefined,
  url: string,
): CompiledRoute | undefined {
  const host = table.anyHost && hostHeader !== undefined ? hostName(hostHeader) : undefined;
  for (const r of table.routes) {
    if (r.host !== null && r.host !== host) continue;
    if (prefixMatches(r.prefix, url)) return r;
  }
  return undefined;
}

/** The path sent upstream: the prefix removed when the route says so, query kept, leading slash kept. */
export function upstreamPath(route: CompiledRoute, url: string): string {
  if (!route.stripPrefix || route.prefix.length === 1) return url;
  const rest = url.slice(route.prefix.length);
  if (rest === '') return '/';
  return rest.charCodeAt(0) === 63 /* ? */ ? `/${rest}` : rest;
}
