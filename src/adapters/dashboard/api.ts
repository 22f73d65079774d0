import type { LogRecord } from '../../core/logs/types.js';
import type { DashboardAction, DashboardEvent, DashboardSource } from './source.js';

export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

const notFound = (what: string): ApiReply => ({
  status: 404,
  body: { error: { code: 'NOT_FOUND', message: what } },
});

/** The JSON API (documented in the README): the page is its first client. */
export async function apiRoute(
  source: DashboardSource,
  method: string,
  url: URL,
  body: unknown,
): Promise<ApiReply> {
  const path = url.pathname;
  const q = url.searchParams;
  if (method === 'POST' && path.startsWith('/api/actions/')) {
    await source.act(parseAction(path.slice('/api/actions/'.length), body));
    return { status: 200, body: { ok: true, replicas: await source.replicas() } };
  }
  if (method !== 'GET') return notFound(`no route ${method} ${path}`);
  switch (path) {
    case '/api/status':
      return { status: 200, body: { project: source.project, replicas: await source.replicas() } };
    case '/api/graph':
      return { status: 200, body: source.graph() };
    case '/api/gateway': {
      const g = source.gateway();
      return g ? { status: 200, body: g } : notFound('this project has no gateway');
    }
    case '/api/events':
      return { status: 200, body: filterEvents(source.events.history(numberParam(q, 'since')), q) };
    case '/api/logs':
      return {
        status: 200,
        body: source.logs.recent({
          ...servicesParam(q),
          ...grepParam(q),
          limit: Math.min(numberParam(q, 'limit') ?? 500, 20_000),
        }),
      };
    default:
      if (path.startsWith('/api/trace/')) {
        const id = decodeURIComponent(path.slice('/api/trace/'.length));
        if (id === '') return notFound('no id');
        return { status: 200, body: { id, lines: withDeltas(await source.logs.trace(id)) } };
      }
      return notFound(`no route GET ${path}`);
  }
}

export function parseAction(kind: string, body: unknown): DashboardAction {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const service = b['service'];
  if (typeof service !== 'string' || service === '') throw new Error('`service` is required');
  if (kind === 'scale') {
    const count = b['count'];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 100)
      throw new Error('`count` must be an integer from 0 to 100');
    return { kind, service, count };
  }
  if (kind === 'restart' || kind === 'stop' || kind === 'start') {
    const replica = b['replica'];
    if (typeof replica !== 'number' || !Number.isInteger(replica) || replica < 1)
      throw new Error('`replica` must be an integer ≥ 1');
    return { kind, service, replica };
  }
  throw new Error(`unknown action "${kind}" (restart, stop, start, scale)`);
}

/** `?type=a,b&service=x,y`: the events page's filters, also for scripts. */
export function filterEvents(events: readonly DashboardEvent[], q: URLSearchParams): DashboardEvent[] {
  const types = listParam(q, 'type');
  const services = listParam(q, 'service');
  return events.filter(
    (e) =>
      (types === undefined || types.includes(e.type)) &&
      (services === undefined || (e.service !== undefined && services.includes(e.service))),
  );
}

/** Each line with the milliseconds since the one before it (the trace view's "+12 ms"). */
export function withDeltas(lines: readonly LogRecord[]): (LogRecord & { deltaMs: number | null })[] {
  let prev: number | undefined;
  return lines.map((r) => {
    const at = tsMs(r.ts);
    const deltaMs = prev === undefined || Number.isNaN(at) ? null : Math.round((at - prev) * 1000) / 1000;
    if (!Number.isNaN(at)) prev = at;
    return { ...r, deltaMs };
  });
}

/** Milliseconds (with the fraction the nanosecond ts gives) of a normalised ts. */
function tsMs(ts: string): number {
  const base = Date.parse(`${ts.slice(0, 19)}Z`);
  const frac = ts.slice(20, 29);
  return base + (frac ? Number(`0.${frac}`) * 1000 : 0);
}

function listParam(q: URLSearchParams, key: string): string[] | undefined {
  const v = q
    .getAll(key)
    .flatMap((x) => x.split(','))
    .filter((x) => x !== '');
  return v.length > 0 ? v : undefined;
}

function servicesParam(q: URLSearchParams): { services?: string[] } {
  const services = listParam(q, 'service');
  return services ? { services } : {};
}

function grepParam(q: URLSearchParams): { grep?: RegExp } {
  const g = q.get('grep');
  if (g === null || g === '') return {};
  try {
    return { grep: new RegExp(g) };
  } catch (e) {
    throw new Error(`grep: ${(e as Error).message}`);
  }
}

function numberParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
