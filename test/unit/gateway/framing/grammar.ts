/**
 * fast-check arbitraries for HTTP/1.1 request bytes: request lines, field lines and chunked
 * bodies drawn from the grammar (with the variations parsers disagree on), then mutated by
 * inserting, deleting or replacing bytes a smuggler would reach for.
 */
import fc from 'fast-check';
import { SENTINEL } from './oracle.js';

const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);

const method = fc.oneof(
  { weight: 8, arbitrary: pick('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  { weight: 1, arbitrary: pick('CONNECT', 'get', 'FOO', 'G(T', 'M-SEARCH', 'PURGE', '') },
);

const target = fc.oneof(
  { weight: 6, arbitrary: pick('/', '/a', '/a/b?c=d', '/x%20y', '//x', '/a#f') },
  { weight: 1, arbitrary: pick('*', 'http://h.test/p', 'https://h.test', 'h.test:443', 'http://u@h/', '') },
  { weight: 1, arbitrary: fc.stringMatching(/^\/[\x21-\x7e]{0,12}$/) },
);

const version = fc.oneof(
  { weight: 8, arbitrary: pick('HTTP/1.1') },
  { weight: 2, arbitrary: pick('HTTP/1.0') },
  { weight: 1, arbitrary: pick('HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 ', '') },
);

const ows = pick('', '', ' ', '  ', '\t');
const digits = fc.oneof(
  fc.nat({ max: 12 }).map(String),
  pick('0', '003', '+3', '-1', '0x3', '3,3', '3 3', '', '99999999999999999999'),
);
const coding = pick('chunked', 'Chunked', 'CHUNKED', 'gzip', 'identity', 'chunkedx', '', 'chunked;q=1');
const codings = fc
  .array(coding, { minLength: 1, maxLength: 3 })
  .chain((cs) => fc.tuple(ows, ows).map(([a, b]) => cs.join(`${a},${b}`)));
const protectedName = pick(
  'content-length',
  'transfer-encoding',
  'host',
  'x-request-id',
  'traceparent',
  'x-forwarded-for',
  'x-other',
  'close',
  'keep-alive',
  'upgrade',
);
const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,10}$/);
const value = fc.stringMatching(/^[\x20-\x7e]{0,16}$/);

/** Content-Length and Transfer-Encoding fields, with the values parsers read differently. */
const framing = fc.oneof(
  fc
    .tuple(pick('Content-Length', 'content-length'), ows, digits, ows)
    .map(([n, a, d, b]) => `${n}:${a}${d}${b}`),
  fc.tuple(pick('Transfer-Encoding', 'transfer-encoding'), ows, codings).map(([n, a, c]) => `${n}:${a}${c}`),
);

const field = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(protectedName, { minLength: 1, maxLength: 4 })
      .map((ns) => `Connection: ${ns.join(', ')}`),
  },
  { weight: 1, arbitrary: pick('Host: other.test', 'Host:', 'host: h.test:80') },
  { weight: 1, arbitrary: pick('Upgrade: websocket', 'Upgrade: h2c', 'Expect: 100-continue') },
  {
    weight: 1,
    arbitrary: pick(
      'X-Request-Id: fuzz-1',
      'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ),
  },
  { weight: 4, arbitrary: fc.tuple(token, ows, value).map(([n, a, v]) => `${n}:${a}${v}`) },
);

const ext = fc.oneof(
  pick(''),
  fc
    .array(
      fc.tuple(
        token,
        fc.oneof(
          pick(''),
          token.map((t) => `=${t}`),
          value.map((v) => `="${v.replace(/["\\]/g, '')}"`),
        ),
      ),
      { minLength: 1, maxLength: 2 },
    )
    .map((es) => es.map(([n, v]) => `;${n}${v}`).join('')),
);

const chunk = fc
  .tuple(fc.integer({ min: 1, max: 20 }), pick('', '0', '00'), fc.boolean(), ext)
  .map(([n, zeros, upper, e]) => {
    const size = zeros + (upper ? n.toString(16).toUpperCase() : n.toString(16));
    return `${size}${e}\r\n${'d'.repeat(n)}\r\n`;
  });

const trailers = fc.array(
  fc.tuple(token, value).map(([n, v]) => `${n}: ${v}\r\n`),
  { maxLength: 2 },
);

/** A chunked body from the grammar: chunks, the last chunk, trailers, the final CRLF. */
export const chunkedBody = fc
  .tuple(fc.array(chunk, { maxLength: 3 }), ext, trailers)
  .map(([cs, e, ts]) => `${cs.join('')}0${e}\r\n${ts.join('')}\r\n`);

/** Framing fields and a body that agree (mostly), or the field combinations parsers disagree on. */
const framed = fc.oneof(
  { weight: 3, arbitrary: pick({ fields: [] as string[], body: '' }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat({ max: 12 }), pick('Content-Length', 'content-length'), ows)
      .map(([n, name, a]) => ({ fields: [`${name}:${a}${n}`], body: 'b'.repeat(n) })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        chunkedBody,
        pick('chunked', 'Chunked', 'chunked', ' chunked'),
        pick('Transfer-Encoding', 'transfer-encoding'),
      )
      .map(([b, c, name]) => ({ fields: [`${name}: ${c}`], body: b })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.array(framing, { minLength: 1, maxLength: 3 }),
        fc.oneof(
          pick(''),
          fc.nat({ max: 12 }).map((n) => 'b'.repeat(n)),
          chunkedBody,
        ),
      )
      .map(([fields, b]) => ({ fields, body: b })),
  },
);

/** A request head and body as the grammar allows (or nearly). */
export const request = fc
  .tuple(
    method,
    target,
    version,
    framed,
    fc.array(field, { maxLength: 4 }),
    fc.nat({ max: 9 }),
    fc.nat({ max: 19 }),
  )
  .map(([m, t, v, fr, fs, hostDie, spDie]) => {
    const line = spDie === 0 ? `${m}  ${t} ${v}` : `${m} ${t} ${v}`;
    const all = [...(hostDie > 0 ? ['Host: h.test'] : []), ...fr.fields, ...fs];
    return `${line}\r\n${all.map((f) => `${f}\r\n`).join('')}\r\n${fr.body}`;
  });

const BYTES = ['\r', '\n', ' ', '\t', '\0', ',', ';', ':', '"', 'x', '0', 'a', '\x7f', '\x80', '\r\n'];

/** Byte-level mutations: each inserts, deletes or replaces at a position (taken modulo the length). */
const mutation = fc.tuple(fc.nat(), pick('insert', 'delete', 'replace'), pick(...BYTES));

function mutate(s: string, ms: readonly [number, string, string][]): string {
  let out = s;
  for (const [at, op, b] of ms) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'insert') out = out.slice(0, i) + b + out.slice(i);
    else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + b + out.slice(i + 1);
  }
  return out;
}

/** Request bytes: grammar, then (a third of the time) a few mutations, then a pipelined request. */
export const requestBytes = fc
  .tuple(
    request,
    fc.oneof(pick([] as [number, string, string][]), fc.array(mutation, { minLength: 1, maxLength: 3 })),
  )
  .map(([r, ms]) => mutate(r, ms) + SENTINEL);

const statusLine = fc.oneof(
  {
    weight: 8,
    arbitrary: pick(
      'HTTP/1.1 200 OK',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.0 200 OK',
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 304 Not Modified',
      'HTTP/1.1 500 ',
    ),
  },
  {
    weight: 1,
    arbitrary: pick(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK',
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK',
      'HTTP/1.1 099 X',
      'HTTP/1.1 2000 X',
      'HTTP/2.0 200 OK',
      'HTTP/1.1 200',
      'HTTP/1.1 200 \u0001',
      'http/1.1 200 OK',
    ),
  },
);

const responseField = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .array(protectedName, { minLength: 1, maxLength: 3 })
      .map((ns) => `Connection: ${ns.join(', ')}`),
  },
  { weight: 1, arbitrary: pick('Keep-Alive: timeout=5', 'X-Request-Id: up-1', 'Connection: close') },
  { weight: 3, arbitrary: fc.tuple(token, ows, value).map(([n, a, v]) => `${n}:${a}${v}`) },
);

/** A response (to GET or HEAD) as the grammar allows, then (a third of the time) mutated. */
export const responseBytes = fc
  .tuple(
    pick('GET', 'GET', 'GET', 'HEAD'),
    statusLine,
    framed,
    fc.array(responseField, { maxLength: 3 }),
    fc.oneof(
      { weight: 2, arbitrary: pick([] as [number, string, string][]) },
      { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
    ),
  )
  .map(([method, line, fr, fs, ms]) => ({
    method,
    bytes: mutate(`${line}\r\n${[...fr.fields, ...fs].map((f) => `${f}\r\n`).join('')}\r\n${fr.body}`, ms),
  }));
