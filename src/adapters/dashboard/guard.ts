import { timingSafeEqual } from 'node:crypto';

/** What the guard needs of a request: method, URL, and the headers it checks. */
export interface GuardRequest {
  readonly method: string;
  readonly url: URL;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** `x-orch-token` or `Authorization: Bearer` (scripts and scrapers may send it instead of `?token=`). */
  readonly tokenHeader: string | undefined;
  /** `Sec-Fetch-Site`, which browsers send on every request. */
  readonly fetchSite: string | undefined;
}

export type GuardVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403 | 405; readonly reason: string };

const OK: GuardVerdict = { ok: true };

/**
 * The dashboard's request checks, in the order a browser attack would meet them:
 * - Host must be 127.0.0.1 or localhost (with or without this server's port): a page on another
 *   site that rebinds its DNS name to 127.0.0.1 still sends its own name as Host (DNS rebinding).
 * - The token, from `?token=`, the `x-orch-token` header or `Authorization: Bearer`, must match
 *   (401 otherwise).
 * - Actions (anything that changes the stack) only by POST, and a POST must not come from another
 *   origin: its Origin header, when sent, must be this server's; a browser's `Sec-Fetch-Site`, when
 *   sent, must be `same-origin` or `none`.
 */
export function checkRequest(req: GuardRequest, token: string, port: number): GuardVerdict {
  if (!hostAllowed(req.host, port))
    return { ok: false, status: 403, reason: 'Host must be 127.0.0.1 or localhost' };
  const given = req.url.searchParams.get('token') ?? req.tokenHeader;
  if (given === undefined || given === null || !sameSecret(given, token))
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  const action = req.url.pathname.startsWith('/api/actions/');
  if (action && req.method !== 'POST') return { ok: false, status: 405, reason: 'actions need POST' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (req.origin !== undefined && !originAllowed(req.origin, port))
      return { ok: false, status: 403, reason: 'cross-origin request refused' };
    if (req.fetchSite !== undefined && req.fetchSite !== 'same-origin' && req.fetchSite !== 'none')
      return { ok: false, status: 403, reason: 'cross-site request refused' };
  }
  return OK;
}

const LOCAL_NAMES = new Set(['127.0.0.1', 'localhost']);

export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  if (LOCAL_NAMES.has(h)) return true;
  const colon = h.lastIndexOf(':');
  if (colon <= 0) return false;
  return LOCAL_NAMES.has(h.slice(0, colon)) && h.slice(colon + 1) === String(port);
}

export function originAllowed(origin: string, port: number): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:') return false;
  return LOCAL_NAMES.has(u.hostname) && (u.port === String(port) || (u.port === '' && port === 80));
}

/** Constant-time comparison: the token must not leak through response timing. */
function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
