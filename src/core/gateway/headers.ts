/**
 * Request/response header rewriting for the gateway, over flat raw header lists
 * (`[name, value, name, value, …]`, as the gateway's HTTP/1.1 reader makes them), so nothing is
 * parsed into objects on the request path.
 */

/** Random lowercase hex; the adapter backs it with crypto, tests with a seeded source. */
export interface IdSource {
  hex(bytes: number): string;
}

export interface Traceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** W3C trace-context `traceparent`; undefined when absent or invalid (then a new trace starts). */
export function parseTraceparent(value: string | undefined): Traceparent | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  // version 00 is exactly 55 chars; later versions may append fields after a dash.
  if (v.length < 55 || (v.length > 55 && (v.startsWith('00') || v.charCodeAt(55) !== 45))) return undefined;
  if (v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return undefined;
  const version = v.slice(0, 2);
  const traceId = v.slice(3, 35);
  const parentId = v.slice(36, 52);
  const flags = v.slice(53, 55);
  if (!HEX.test(version) || version === 'ff') return undefined;
  if (!HEX.test(traceId) || traceId === ZERO_TRACE) return undefined;
  if (!HEX.test(parentId) || parentId === ZERO_SPAN) return undefined;
  if (!HEX.test(flags)) return undefined;
  return { traceId, parentId, flags };
}

/**
 * The traceparent the gateway sends upstream: the client's trace with a new span, or a new trace.
 * `spanId` is the gateway's own span (the upstream's parent); `parentId` the client's, if any.
 */
export function nextTraceparent(
  client: Traceparent | undefined,
  ids: IdSource,
): { traceId: string; spanId: string; parentId?: string; value: string } {
  const traceId = client?.traceId ?? ids.hex(16);
  const flags = client?.flags ?? '01';
  const spanId = ids.hex(8);
  const value = `00-${traceId}-${spanId}-${flags}`;
  return client ? { traceId, spanId, parentId: client.parentId, value } : { traceId, spanId, value };
}

/** A client's x-request-id is kept when it is short printable ASCII; anything else is replaced. */
export function acceptableRequestId(v: string): boolean {
  if (v.length === 0 || v.length > 200) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** RFC 9110 §7.6.1 hop-by-hop fields, plus any `proxy-*`. Takes a lower-cased name. */
export function isHopByHop(name: string): boolean {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'te':
    case 'trailer':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return name.startsWith('proxy-');
  }
}

/**
 * Fields a `Connection` listing can never remove: the message's framing and routing
 * (`content-length`, `transfer-encoding`, `host`) and what the gateway itself stamps. Otherwise
 * `Connection: content-length` would strip a body's length while the body still goes out, and
 * `Connection: x-request-id, x-forwarded-for` would strip the gateway's own stamps.
 */
export function isProtected(name: string): boolean {
  switch (name) {
    case 'content-length':
    case 'transfer-encoding':
    case 'host':
    case 'x-request-id':
    case 'traceparent':
    case 'tracestate':
      return true;
    default:
      return name.startsWith('x-forwarded-');
  }
}

/** Extra field names a `Connection` header lists (besides the standard options and protected fields). */
function connectionListed(value: string, into: string[]): void {
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade' && !isProtected(t)) into.push(t);
  }
}

function dropListed(out: string[], listed: readonly string[]): string[] {
  if (listed.length === 0) return out;
  const kept: string[] = [];
  for (let i = 0; i + 1 < out.length; i += 2) {
    const name = out[i] ?? '';
    if (!listed.includes(name.toLowerCase())) kept.push(name, out[i + 1] ?? '');
  }
  return kept;
}

export interface ForwardContext {
  readonly ids: IdSource;
  /** The client's address as the gateway saw it. */
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  /** For an `Upgrade` request: keep `Connection: upgrade` and `Upgrade` so the upstream can switch. */
  readonly upgrade: boolean;
}

export interface ForwardedRequest {
  readonly headers: string[];
  readonly requestId: string;
  readonly traceId: string;
  /** The span id in the upstream's traceparent (the gateway's span), and the client's span, if any. */
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** The client's Host header ('' when none). */
  readonly host: string;
  /** Content-Length > 0 or a Transfer-Encoding: the request has a body to stream. */
  readonly hasBody: boolean;
}

/**
 * The headers to send upstream: hop-by-hop fields (and those named in Connection, save protected
 * ones) dropped; Content-Length and Transfer-Encoding dropped too (the gateway frames the body);
 * `Expect` dropped too (node:http answers `100 Continue` itself); x-request-id kept or added;
 * traceparent continued or started (tracestate kept only with a valid client traceparent);
 * x-forwarded-for appended to, x-forwarded-proto/-host set to what the gateway saw.
 */
export function forwardRequestHeaders(raw: readonly string[], ctx: ForwardContext): ForwardedRequest {
  const out: string[] = [];
  const listed: string[] = [];
  let requestId = '';
  let clientTrace: string | undefined;
  let tracestate: string | undefined;
  let forwardedFor = '';
  let host = '';
  let hasBody = false;
  let upgrade = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        host = value;
        out.push(name, value);
        break;
      case 'content-length':
        // The framing line is written by the gateway from what it read (see the proxy).
        if (value !== '0') hasBody = true;
        break;
      case 'transfer-encoding':
        hasBody = true;
        break;
      case 'connection':
        connectionListed(value, listed);
        break;
      case 'upgrade':
        upgrade = value;
        break;
      case 'x-request-id':
        if (requestId === '' && acceptableRequestId(value)) {
          requestId = value;
          out.push(name, value);
        }
        break;
      case 'traceparent':
        clientTrace ??= value;
        break;
      case 'tracestate':
        tracestate = tracestate === undefined ? value : `${tracestate},${value}`;
        break;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === '' ? value : `${forwardedFor}, ${value}`;
        break;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
      case 'expect':
        break;
      default:
        if (!isHopByHop(lower)) out.push(name, value);
    }
  }
  if (requestId === '') {
    requestId = ctx.ids.hex(16);
    out.push('x-request-id', requestId);
  }
  const parsed = parseTraceparent(clientTrace);
  const trace = nextTraceparent(parsed, ctx.ids);
  out.push('traceparent', trace.value);
  if (parsed !== undefined && tracestate !== undefined) out.push('tracestate', tracestate);
  out.push('x-forwarded-for', forwardedFor === '' ? ctx.clientIp : `${forwardedFor}, ${ctx.clientIp}`);
  out.push('x-forwarded-proto', ctx.proto);
  if (host !== '') out.push('x-forwarded-host', host);
  if (ctx.upgrade && upgrade !== '') out.push('connection', 'upgrade', 'upgrade', upgrade);
  return {
    headers: dropListed(out, listed),
    requestId,
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentId,
    host,
    hasBody,
  };
}

/**
 * The headers to send back to the client: hop-by-hop fields (and those named in Connection, save
 * protected ones) dropped, x-request-id added when the upstream did not echo it. Content-Length
 * is kept here; the proxy re-frames the response from what it read.
 */
export function forwardResponseHeaders(raw: readonly string[], requestId: string): string[] {
  const out: string[] = [];
  let listed: string[] | undefined;
  let hasRequestId = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      listed ??= [];
      connectionListed(raw[i + 1] ?? '', listed);
      continue;
    }
    if (isHopByHop(lower)) continue;
    if (lower === 'x-request-id') hasRequestId = true;
    out.push(name, raw[i + 1] ?? '');
  }
  if (!hasRequestId) out.push('x-request-id', requestId);
  return listed === undefined ? out : dropListed(out, listed);
}
