/**
 * HTTP/1.x message heads (RFC 9112), parsed from the bytes before the empty line into the flat
 * raw header list the header rewriting works on. Strict where leniency would let a request be
 * read differently by the gateway and the upstream (request smuggling): bare CR or LF, obsolete
 * line folding, spaces before the colon, conflicting lengths are all refused.
 */

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

/** A head the gateway refuses; `status` is what the client is answered (400, 431, 501). */
export class HeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin-form `/path?q`, usually). */
  readonly url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  /** `[name, value, name, value, …]`, names as sent. */
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

// RFC 9110 token characters, for methods and field names.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Field values may hold any visible byte, space and tab, but no CR, LF or NUL. */
function validValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function hasToken(list: string, token: string): boolean {
  for (const part of list.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

function parseLength(v: string, what: string): number {
  if (!/^\d{1,15}$/.test(v)) throw new HeadError(400, `invalid Content-Length in ${what}`);
  return Number(v);
}

interface Fields {
  raw: string[];
  connection: string;
  te: string;
  teCount: number;
  contentLength: number;
  upgrade: boolean;
  expect: string;
  /** The `Keep-Alive` field's value ('' when absent). */
  keepAlive: string;
}

/** The field lines of a head (lines[1..]): validated, collected, and the framing fields noted. */
function fields(lines: string[], what: string): Fields {
  const f: Fields = {
    raw: [],
    connection: '',
    te: '',
    teCount: 0,
    contentLength: -1,
    upgrade: false,
    expect: '',
    keepAlive: '',
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) throw new HeadError(400, `obsolete line folding in ${what}`);
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeadError(400, `malformed header line in ${what}`);
    const name = line.slice(0, colon);
    if (!isToken(name)) throw new HeadError(400, `invalid header name in ${what}`);
    const value = trimOws(line.slice(colon + 1));
    if (!validValue(value)) throw new HeadError(400, `invalid header value in ${what}`);
    f.raw.push(name, value);
    // Only a handful of names matter here; compare lengths first to skip most lower-casing.
    switch (name.length) {
      case 10:
        {
          const lower = name.toLowerCase();
          if (lower === 'connection') f.connection += f.connection === '' ? value : `,${value}`;
          else if (lower === 'keep-alive') f.keepAlive = value;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const n = parseLength(value, what);
          if (f.contentLength >= 0 && f.contentLength !== n) {
            throw new HeadError(400, `conflicting Content-Length values in ${what}`);
          }
          f.contentLength = n;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          f.te += f.te === '' ? value : `,${value}`;
          f.teCount++;
        }
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') f.upgrade = true;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') f.expect = value.toLowerCase();
        break;
      default:
        break;
    }
  }
  return f;
}

function splitHead(buf: Buffer, start: number, end: number): string[] {
  // end points past CRLFCRLF; the last two CRLFs make no line.
  const text = buf.toString('latin1', start, end - 4);
  const lines = text.split('\r\n');
  for (const l of lines) {
    if (l.includes('\n') || l.includes('\r')) throw new HeadError(400, 'bare CR or LF in the message head');
  }
  return lines;
}

function versionMinor(v: string | undefined, what: string): number {
  if (v === 'HTTP/1.1') return 1;
  if (v === 'HTTP/1.0') return 0;
  throw new HeadError(
    v !== undefined && v.startsWith('HTTP/') ? 505 : 400,
    `unsupported protocol in ${what}`,
  );
}

/** Parses a request head occupying `buf[start, end)` (end as returned by `headEnd`). */
export function parseRequestHead(buf: Buffer, start: number, end: number): RequestHead {
  const lines = splitHead(buf, start, end);
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const sp2 = first.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || first.indexOf(' ', sp2 + 1) >= 0) {
    throw new HeadError(400, 'malformed request line');
  }
  const method = first.slice(0, sp1);
  const url = first.slice(sp1 + 1, sp2);
  if (!isToken(method) || url === '' || !validValue(url)) throw new HeadError(400, 'malformed request line');
  const minor = versionMinor(first.slice(sp2 + 1), 'the request line');
  const f = fields(lines, 'the request');
  let framing: Framing = NO_BODY;
  if (f.teCount > 0) {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing cannot be trusted.
    if (minor === 0) throw new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    // RFC 9112 §6.1: with both, Transfer-Encoding wins; a proxy must not pass such a message on
    // as is, and refusing it is the simple safe answer.
    if (f.contentLength >= 0)
      throw new HeadError(400, 'both Transfer-Encoding and Content-Length in the request');
    const codings = f.te.split(',');
    if ((codings[codings.length - 1] ?? '').trim().toLowerCase() !== 'chunked') {
      throw new HeadError(400, 'a request Transfer-Encoding must end in chunked');
    }
    if (codings.length > 1) throw new HeadError(501, 'transfer codings other than chunked are not supported');
    framing = CHUNKED;
  } else if (f.contentLength > 0) framing = { kind: 'length', length: f.contentLength };
  const conn = f.connection;
  const keepAlive =
    conn === '' ? minor === 1 : minor === 1 ? !hasToken(conn, 'close') : hasToken(conn, 'keep-alive');
  return {
    method,
    url,
    minor,
    rawHeaders: f.raw,
    framing,
    keepAlive,
    upgrade: f.upgrade && conn !== '' && hasToken(conn, 'upgrade'),
    expectContinue: f.expect === '100-continue',
  };
}

/** Parses a response head occupying `buf[start, end)`. */
export function parseResponseHead(buf: Buffer, start: number, end: number): ResponseHead {
  const lines = splitHead(buf, start, end);
  const first = lines[0] ?? '';
  const sp1 = first.indexOf(' ');
  const minor = versionMinor(sp1 < 0 ? first : first.slice(0, sp1), 'the response status line');
  const code = first.slice(sp1 + 1, sp1 + 4);
  const status = /^[1-9]\d\d$/.test(code) ? Number(code) : NaN;
  if (Number.isNaN(status) || (first.length > sp1 + 4 && first.charCodeAt(sp1 + 4) !== 0x20)) {
    throw new HeadError(502, 'malformed response status line');
  }
  const reason = first.slice(sp1 + 5);
  if (!validValue(reason)) throw new HeadError(502, 'control bytes in the response reason phrase');
  const f = fields(lines, 'the response');
  const codings = f.te === '' ? [] : f.te.split(',');
  const chunked =
    codings.length > 0 && (codings[codings.length - 1] ?? '').trim().toLowerCase() === 'chunked';
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
