/**
 * The field lines of an HTTP/1.x head (RFC 9112 §5), checked byte for byte as llhttp (Node's
 * parser, the usual upstream) checks them, so the gateway never reads a head another way than
 * the replica behind it does.
 */

/** A message the gateway refuses; `status` is what the client is answered, `reason` a short code. */
export class HeadError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

// RFC 9110 token characters, for methods and field names.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** Field values may hold visible bytes, obs-text, space and tab; no other control byte, no DEL. */
export function validValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function hasToken(list: string, token: string): boolean {
  for (const part of list.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/** One field line `name: value`; throws on anything llhttp would refuse. */
export function fieldLine(line: string, what: string): [string, string] {
  const c = line.charCodeAt(0);
  if (c === 0x20 || c === 0x09) throw new HeadError(400, 'obs-fold', `obsolete line folding in ${what}`);
  const colon = line.indexOf(':');
  if (colon <= 0) throw new HeadError(400, 'bad-header', `malformed header line in ${what}`);
  const name = line.slice(0, colon);
  if (!isToken(name)) throw new HeadError(400, 'bad-header', `invalid header name in ${what}`);
  const value = trimOws(line.slice(colon + 1));
  if (!validValue(value)) throw new HeadError(400, 'bad-header', `invalid header value in ${what}`);
  return [name, value];
}

export interface Fields {
  raw: string[];
  connection: string;
  te: string;
  teCount: number;
  /** A Transfer-Encoding field was there, even an empty one. */
  teSeen: boolean;
  contentLength: number;
  hosts: number;
  host: string;
  upgrade: boolean;
  expect: string;
  /** The `Keep-Alive` field's value ('' when absent). */
  keepAlive: string;
}

function parseLength(v: string, what: string): number {
  if (!/^\d{1,15}$/.test(v)) throw new HeadError(400, 'bad-cl', `invalid Content-Length in ${what}`);
  return Number(v);
}

/** The field lines of a head (lines[1..]): validated, collected, and the framing fields noted. */
export function fields(lines: string[], what: string, maxFields: number): Fields {
  const f: Fields = {
    raw: [],
    connection: '',
    te: '',
    teCount: 0,
    teSeen: false,
    contentLength: -1,
    hosts: 0,
    host: '',
    upgrade: false,
    expect: '',
    keepAlive: '',
  };
  if (lines.length - 1 > maxFields) {
    throw new HeadError(431, 'too-many-headers', `more than ${maxFields} header fields in ${what}`);
  }
  for (let i = 1; i < lines.length; i++) {
    const [name, value] = fieldLine(lines[i] ?? '', what);
    f.raw.push(name, value);
    // Only a handful of names matter here; compare lengths first to skip most lower-casing.
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          f.hosts++;
          f.host = value;
        }
        break;
      case 10:
        {
          const lower = name.toLowerCase();
          if (lower === 'connection') f.connection += f.connection === '' ? value : `,${value}`;
          else if (lower === 'keep-alive') f.keepAlive = value;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          // llhttp refuses a second Content-Length even when it repeats the first.
          if (f.contentLength >= 0)
            throw new HeadError(400, 'dup-cl', `more than one Content-Length in ${what}`);
          // ...and a tab after the digits (only spaces may follow them).
          const line = lines[i] ?? '';
          if (line.charCodeAt(line.length - 1) === 0x09 && value !== '')
            throw new HeadError(400, 'bad-cl', `invalid Content-Length in ${what}`);
          f.contentLength = parseLength(value, what);
        }
        break;
      case 17:
        // llhttp ignores a Transfer-Encoding with an empty value; so does the gateway (which
        // writes its own framing upstream, so no replica reads that field either).
        if (name.toLowerCase() === 'transfer-encoding') f.teSeen = true;
        if (value !== '' && name.toLowerCase() === 'transfer-encoding') {
          // llhttp does not take `chunked<TAB>` for chunked: the tab is kept for codingsOf().
          const line = lines[i] ?? '';
          const v = line.charCodeAt(line.length - 1) === 0x09 ? `${value}\t` : value;
          f.te += f.te === '' ? v : `,${v}`;
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

/**
 * Throws at the first bare CR or LF in `buf[from, to)`: a head whose lines end in a lone LF is
 * refused at once (llhttp does), rather than waited on until a CRLFCRLF that never comes.
 */
export function checkLineEnds(buf: Buffer, from: number, to: number): void {
  let i = buf.indexOf(0x0a, from);
  while (i >= 0 && i < to) {
    if (i === from || buf[i - 1] !== 0x0d) throw new HeadError(400, 'bare-lf', 'bare LF in the message head');
    i = buf.indexOf(0x0a, i + 1);
  }
  i = buf.indexOf(0x0d, from);
  while (i >= 0 && i < to - 1) {
    if (buf[i + 1] !== 0x0a) throw new HeadError(400, 'bare-cr', 'bare CR in the message head');
    i = buf.indexOf(0x0d, i + 1);
  }
}

/** The codings of a Transfer-Encoding list, lower-cased; OWS before each, spaces only after (llhttp). */
export function codingsOf(te: string): string[] {
  return te.split(',').map((c) =>
    c
      .replace(/^[ \t]+/, '')
      .replace(/ +$/, '')
      .toLowerCase(),
  );
}
