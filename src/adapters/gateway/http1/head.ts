/**
 * HTTP/1.x message heads (RFC 9112), parsed from the bytes before the empty line into the flat
 * raw header list the header rewriting works on. The rules are llhttp's (Node's parser, which is
 * what most replicas run), checked by the differential tests in test/unit/gateway/framing; where
 * the gateway is stricter on purpose (two Host fields, Transfer-Encoding in HTTP/1.0, codings
 * other than chunked, a body on an Upgrade, CONNECT) the message is refused before anything is
 * forwarded.
 */
import { METHODS } from 'node:http';
import { checkLineEnds, codingsOf, fields, hasToken, HeadError } from './fields.js';

export { HeadError } from './fields.js';

/** How a message's body is delimited on the wire. */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Responses only: the body runs until the upstream closes the connection. */
  | { readonly kind: 'close' };

export const NO_BODY: Framing = { kind: 'none' };
const CHUNKED: Framing = { kind: 'chunked' };
const UNTIL_CLOSE: Framing = { kind: 'close' };

/** Header-count cap when the project file sets none. */
export const DEFAULT_MAX_HEADERS = 100;

export interface RequestHead {
  readonly method: string;
  /** The request target in origin-form (`/path?q`), or `*`; an absolute-form target is reduced to it. */
  readonly url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  /** `[name, value, name, value, …]`, names as sent (Host replaced by an absolute-form target's authority). */
  readonly rawHeaders: string[];
  readonly framing: Framing;
  /** The connection stays open after this exchange (HTTP/1.1 default, or 1.0 with keep-alive). */
  readonly keepAlive: boolean;
  /** `Connection: upgrade` with an `Upgrade` header. */
  readonly upgrade: boolean;
  /** `Expect: 100-continue`. */
  readonly expectContinue: boolean;
}

export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  readonly minor: number;
  readonly rawHeaders: string[];
  /** The upstream asked to close the connection after this response. */
  readonly close: boolean;
  /** `Keep-Alive: timeout=N` in ms: how long the upstream keeps an idle connection open. */
  readonly keepAliveTimeoutMs: number | undefined;
  /** Transfer-Encoding chunked / Content-Length as sent; `framingFor` turns them into a Framing. */
  readonly chunked: boolean;
  readonly otherCoding: boolean;
  readonly contentLength: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Index just past the empty line ending a head that starts at `from`, or -1 when not there yet. */
export function headEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(CRLFCRLF, from);
  return i < 0 ? -1 : i + 4;
}

/**
 * Throws when the incomplete request head in `buf[from..]` already has a bare CR or LF (see
 * checkLineEnds), or is an HTTP/0.9 request line (`GET /path` and a line end), which llhttp reads
 * and the gateway refuses (505).
 */
export function checkPartialHead(buf: Buffer, from: number): void {
  http09(buf, from);
  checkLineEnds(buf, from, buf.length);
}

function http09(buf: Buffer, from: number): void {
  const lf = buf.indexOf(0x0a, from);
  if (lf < 0) return;
  const line = buf.toString('latin1', from, lf).replace(/\r$/, '');
  if (/^\S+ +\S+$/.test(line)) throw new HeadError(505, 'unsupported-version', 'an HTTP/0.9 request');
}

function splitHead(buf: Buffer, start: number, end: number): string[] {
  // end points past CRLFCRLF; the last two CRLFs make no line.
  const text = buf.toString('latin1', start, end - 4);
  const lines = text.split('\r\n');
  for (const l of lines) {
    if (l.includes('\n') || l.includes('\r'))
      throw new HeadError(400, 'bare-lf', 'bare CR or LF in the message head');
  }
  return lines;
}

function versionMinor(v: string | undefined, what: string, status: number): number {
  if (v === 'HTTP/1.1') return 1;
  if (v === 'HTTP/1.0') return 0;
  // llhttp also reads HTTP/0.9 and 2.0 heads; the gateway speaks 1.0 and 1.1 only.
  const known = v === 'HTTP/0.9' || v === 'HTTP/2.0';
  throw new HeadError(
    v !== undefined && v.startsWith('HTTP/') && status === 400 ? 505 : status,
    known ? 'unsupported-version' : 'bad-version',
    `unsupported protocol in ${what}`,
  );
}

const KNOWN_METHODS = new Set(METHODS);

/**
 * llhttp's request-target bytes: visible ASCII only; no space, tab, other control byte, DEL or
 * byte above it (a tab is refused at once: an upstream that splits the line on it would read
 * another path).
 */
function validTarget(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/**
 * RFC 9112 §3.2.2: an absolute-form target names the host; the gateway routes by it and passes
 * the upstream the origin-form path with that authority as Host, as nginx does.
 */
function absoluteForm(url: string): { path: string; authority: string } | undefined {
  const m = /^(https?):\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (m === null) return undefined;
  const authority = m[2] ?? '';
  // RFC 3986 authority characters (llhttp refuses others, a quote say).
  if (authority === '' || !/^[A-Za-z0-9._~!$&'()*+,;=:%[\]@-]+$/.test(authority)) return undefined;
  const rest = m[3] ?? '';
  return { authority, path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

/** Parses a request head occupying `buf[start, end)` (end as returned by `headEnd`). */
export function parseRequestHead(
  buf: Buffer,
  start: number,
  end: number,
  maxHeaders = DEFAULT_MAX_HEADERS,
): RequestHead {
  let lines: string[];
  try {
    lines = splitHead(buf, start, end);
  } catch (e) {
    // `GET /path` and a bare LF is an HTTP/0.9 request to llhttp: 505 rather than 400.
    http09(buf, start);
    throw e;
  }
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const sp2 = first.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || sp2 === sp1 + 1 || first.indexOf(' ', sp2 + 1) >= 0) {
    // `GET /` alone (spaces before the target or not) is an HTTP/0.9 request to llhttp.
    const reason = /^\S+ +\S+$/.test(first)
      ? 'unsupported-version'
      : first.includes('\t')
        ? 'tab-in-target'
        : first.includes('  ')
          ? 'extra-space'
          : 'bad-request-line';
    throw new HeadError(reason === 'unsupported-version' ? 505 : 400, reason, 'malformed request line');
  }
  const method = first.slice(0, sp1);
  let url = first.slice(sp1 + 1, sp2);
  if (!KNOWN_METHODS.has(method)) throw new HeadError(400, 'bad-method', 'unknown request method');
  if (url === '' || !validTarget(url)) {
    throw new HeadError(400, url.includes('\t') ? 'tab-in-target' : 'bad-target', 'malformed request target');
  }
  const minor = versionMinor(first.slice(sp2 + 1), 'the request line', 400);
  if (method === 'CONNECT') throw new HeadError(405, 'connect', 'CONNECT is not supported by the gateway');
  const f = fields(lines, 'the request', maxHeaders);
  // RFC 9112 §3.2: a request with more than one Host is answered 400 (which one routes it?).
  if (f.hosts > 1) throw new HeadError(400, 'two-host', 'more than one Host header');
  // Even with an absolute-form target (node:http asks for Host too).
  if (f.hosts === 0 && minor === 1) throw new HeadError(400, 'no-host', 'an HTTP/1.1 request without Host');
  let raw = f.raw;
  if (url.charCodeAt(0) !== 0x2f && url !== '*') {
    const abs = absoluteForm(url);
    if (abs === undefined) {
      // llhttp reads any `scheme://…`; the gateway can route http and https ones only.
      const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
      throw new HeadError(
        400,
        scheme ? 'bad-scheme' : 'bad-target',
        'the request target is neither a path nor an http URL',
      );
    }
    if (abs.authority.includes('@'))
      throw new HeadError(400, 'userinfo-in-target', 'user information in the request target');
    url = abs.path;
    raw = withHost(raw, abs.authority);
  }
  const conn = f.connection;
  const upgrade = f.upgrade && conn !== '' && hasToken(conn, 'upgrade');
  // llhttp hands every byte after an Upgrade head to the new protocol: a body there would be
  // read as a body by the gateway and as tunnel bytes by the replica.
  if (upgrade && (f.teCount > 0 || f.contentLength > 0))
    throw new HeadError(400, 'upgrade-with-body', 'a body on an Upgrade request');
  // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing cannot be trusted
  // (llhttp refuses it too when the field is empty).
  if (minor === 0 && f.teSeen)
    throw new HeadError(400, 'te-http10', 'Transfer-Encoding in an HTTP/1.0 request');
  // RFC 9112 §6.1: with both, Transfer-Encoding wins; a proxy must not pass such a message on
  // as is, and refusing it is the simple safe answer (llhttp refuses it too, save an empty
  // Transfer-Encoding before the Content-Length, which it reads as absent).
  if (f.teSeen && f.contentLength >= 0)
    throw new HeadError(400, 'te-and-cl', 'both Transfer-Encoding and Content-Length in the request');
  let framing: Framing = NO_BODY;
  if (f.teCount > 0) {
    const codings = codingsOf(f.te);
    if (codings[codings.length - 1] !== 'chunked') {
      throw new HeadError(400, 'bad-te', 'a request Transfer-Encoding must end in chunked');
    }
    if (codings.length > 1)
      throw new HeadError(501, 'te-coding', 'transfer codings other than chunked are not supported');
    framing = CHUNKED;
  } else if (f.contentLength > 0) framing = { kind: 'length', length: f.contentLength };
  const keepAlive =
    conn === '' ? minor === 1 : minor === 1 ? !hasToken(conn, 'close') : hasToken(conn, 'keep-alive');
  return {
    method,
    url,
    minor,
    rawHeaders: raw,
    framing,
    keepAlive,
    upgrade,
    expectContinue: f.expect === '100-continue',
  };
}

function withHost(raw: string[], authority: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    out.push(name, name.toLowerCase() === 'host' ? authority : (raw[i + 1] ?? ''));
  }
  if (!out.some((n, i) => i % 2 === 0 && n.toLowerCase() === 'host')) out.push('Host', authority);
  return out;
}

/** Parses a response head occupying `buf[start, end)`. */
export function parseResponseHead(buf: Buffer, start: number, end: number): ResponseHead {
  const lines = splitHead(buf, start, end);
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const minor = versionMinor(sp1 < 0 ? first : first.slice(0, sp1), 'the response status line', 502);
  const code = first.slice(sp1 + 1, sp1 + 4);
  const status = /^\d\d\d$/.test(code) ? Number(code) : NaN;
  if (Number.isNaN(status) || (first.length > sp1 + 4 && first.charCodeAt(sp1 + 4) !== 0x20)) {
    throw new HeadError(502, 'bad-status-line', 'malformed response status line');
  }
  if (status < 100) throw new HeadError(502, 'bad-status-range', 'a response status below 100');
  const reason = first.slice(sp1 + 5);
  if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(reason))
    throw new HeadError(502, 'bad-reason', 'control bytes in the response reason phrase');
  const f = fields(lines, 'the response', Infinity);
  const codings = f.te === '' ? [] : codingsOf(f.te);
  const chunked = codings.length > 0 && codings[codings.length - 1] === 'chunked';
  // As for requests (llhttp refuses a Content-Length with any Transfer-Encoding after it).
  if (f.teSeen && f.contentLength >= 0)
    throw new HeadError(502, 'te-and-cl', 'both Transfer-Encoding and Content-Length in the response');
  return {
    status,
    reason,
    minor,
    rawHeaders: f.raw,
    close:
      f.connection === ''
        ? minor === 0
        : minor === 1
          ? hasToken(f.connection, 'close')
          : !hasToken(f.connection, 'keep-alive'),
    chunked,
    otherCoding: codings.length > 0 && !chunked,
    contentLength: f.contentLength,
    keepAliveTimeoutMs: keepAliveTimeout(f.keepAlive),
  };
}

/** The `timeout=N` parameter of a Keep-Alive value, in ms (RFC 2068 §19.7.1.1, as node:http sends it). */
function keepAliveTimeout(value: string): number | undefined {
  if (value === '') return undefined;
  const m = /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(value);
  return m?.[1] !== undefined ? Number(m[1]) * 1_000 : undefined;
}

/** RFC 9112 §6.3: how a response to `method` with this head is delimited. */
export function responseFraming(head: ResponseHead, method: string): Framing {
  const s = head.status;
  if (method === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) return NO_BODY;
  if (head.chunked) return CHUNKED;
  if (head.otherCoding) return UNTIL_CLOSE;
  if (head.contentLength >= 0)
    return head.contentLength === 0 ? NO_BODY : { kind: 'length', length: head.contentLength };
  return UNTIL_CLOSE;
}
