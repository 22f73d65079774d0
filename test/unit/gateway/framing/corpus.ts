/**
 * The differential corpus: request heads (with bodies and a pipelined request after them) and
 * response heads (with bodies), built from the framing cases RFC 9112 and the smuggling
 * literature care about, crossed with the request-line and field-line variations around them.
 */
import { SENTINEL } from './oracle.js';

export interface RequestCase {
  readonly name: string;
  readonly bytes: string;
}
export interface ResponseCase {
  readonly name: string;
  readonly method: string;
  readonly bytes: string;
  /** Sent after the message, in a later write (`XYZ` unless said). */
  readonly extra?: string;
}

const CHUNKED_OK = '3\r\nabc\r\n0\r\n\r\n';

/** Chunked bodies: valid ones and the ways they go wrong. */
export const CHUNK_BODIES: Record<string, string> = {
  plain: CHUNKED_OK,
  'two chunks': '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
  'upper hex': 'A\r\n0123456789\r\n0\r\n\r\n',
  'lower hex': 'a\r\n0123456789\r\n0\r\n\r\n',
  'leading zeros': '0003\r\nabc\r\n000\r\n\r\n',
  'many leading zeros': '00000000000000000003\r\nabc\r\n0\r\n\r\n',
  extension: '3;a=b\r\nabc\r\n0\r\n\r\n',
  'extension no value': '3;a\r\nabc\r\n0\r\n\r\n',
  'extension quoted': '3;a="x;y"\r\nabc\r\n0\r\n\r\n',
  'extension quoted escape': '3;a="x\\"y"\r\nabc\r\n0\r\n\r\n',
  'two extensions': '3;a=b;c=d\r\nabc\r\n0;z\r\n\r\n',
  'space before extension': '3 ;a=b\r\nabc\r\n0\r\n\r\n',
  'tab before extension': '3\t;a=b\r\nabc\r\n0\r\n\r\n',
  'space after size': '3 \r\nabc\r\n0\r\n\r\n',
  'junk after size': '3 junk\r\nabc\r\n0\r\n\r\n',
  'letter after size': '3x\r\nabc\r\n0\r\n\r\n',
  'space in extension': '3;a= b\r\nabc\r\n0\r\n\r\n',
  'extension empty value': '3;a=\r\nabc\r\n0\r\n\r\n',
  'extension unterminated quote': '3;a="x\r\nabc\r\n0\r\n\r\n',
  'junk after quoted': '3;a="x"y\r\nabc\r\n0\r\n\r\n',
  'control in extension': '3;a=\x01\r\nabc\r\n0\r\n\r\n',
  'bare LF after size': '3\nabc\r\n0\r\n\r\n',
  'bare CR after size': '3\rabc\r\n0\r\n\r\n',
  'bare LF after data': '3\r\nabc\n0\r\n\r\n',
  'no CRLF after data': '3\r\nabcd\r\n0\r\n\r\n',
  'size with sign': '+3\r\nabc\r\n0\r\n\r\n',
  'size 0x': '0x3\r\nabc\r\n0\r\n\r\n',
  'empty size': '\r\nabc\r\n0\r\n\r\n',
  'leading space size': ' 3\r\nabc\r\n0\r\n\r\n',
  'extension trailing semicolon': '3;a=b;\r\nabc\r\n0\r\n\r\n',
  'extension empty name': '3;\r\nabc\r\n0\r\n\r\n',
  'extension two semicolons': '3;;a=b\r\nabc\r\n0\r\n\r\n',
  'extension two semicolons at the end': '3;a;;\r\nabc\r\n0\r\n\r\n',
  'extension empty name then value': '3;=b\r\nabc\r\n0\r\n\r\n',
  'extension quoted then another': '3;a="x";b\r\nabc\r\n0\r\n\r\n',
  'extension quoted with paren': '3;a="(~;"\r\nabc\r\n0\r\n\r\n',
  'last chunk extension trailing semicolon': '3\r\nabc\r\n0;a;\r\n\r\n',
  'trailer backslash': '3\r\nabc\r\n0\r\nX-T: \\$`.\r\n\r\n',
  'trailer odd name': '3\r\nabc\r\n0\r\n%$$&$&: v\r\n\r\n',
  trailer: '3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n',
  'two trailers': '3\r\nabc\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\n',
  'trailer no colon': '3\r\nabc\r\n0\r\ngarbage\r\n\r\n',
  'trailer space before colon': '3\r\nabc\r\n0\r\nX-T : 1\r\n\r\n',
  'trailer folded': '3\r\nabc\r\n0\r\nX-T: 1\r\n 2\r\n\r\n',
  'trailer bare LF': '3\r\nabc\r\n0\r\nX-T: 1\n\r\n',
  'final bare LF': '3\r\nabc\r\n0\r\n\n',
  'trailer NUL': '3\r\nabc\r\n0\r\nX-T: a\x00b\r\n\r\n',
  'trailer DEL': '3\r\nabc\r\n0\r\nX-T: a\x7fb\r\n\r\n',
  'trailer obs-text': '3\r\nabc\r\n0\r\nX-T: caf\xe9\r\n\r\n',
  'trailer bad name': '3\r\nabc\r\n0\r\nX(T): 1\r\n\r\n',
};

/** Field-line sets around framing, with a body matching what the fields say. */
const FIELD_SETS: [string, string[], string][] = [
  ['none', [], ''],
  ['CL 3', ['Content-Length: 3'], 'abc'],
  ['CL 0', ['Content-Length: 0'], ''],
  ['CL leading zeros', ['Content-Length: 003'], 'abc'],
  ['CL OWS', ['Content-Length:  3 '], 'abc'],
  ['CL tab', ['Content-Length:\t3\t'], 'abc'],
  ['CL leading tab', ['Content-Length:\t3'], 'abc'],
  ['CL trailing tab', ['Content-Length: 3\t'], 'abc'],
  ['TE trailing tab', ['Transfer-Encoding: chunked\t'], CHUNKED_OK],
  ['TE tab inside', ['Transfer-Encoding: gzip,\tchunked'], CHUNKED_OK],
  ['CL twice same', ['Content-Length: 3', 'Content-Length: 3'], 'abc'],
  ['CL twice differ', ['Content-Length: 3', 'Content-Length: 4'], 'abcd'],
  ['CL list', ['Content-Length: 3, 3'], 'abc'],
  ['CL sign', ['Content-Length: +3'], 'abc'],
  ['CL negative', ['Content-Length: -3'], 'abc'],
  ['CL hex', ['Content-Length: 0x3'], 'abc'],
  ['CL empty', ['Content-Length:'], 'abc'],
  ['CL space inside', ['Content-Length: 1 2'], 'abc'],
  ['CL huge', ['Content-Length: 99999999999999999999'], 'abc'],
  ['CL lower name', ['content-length: 3'], 'abc'],
  ['CL upper name', ['CONTENT-LENGTH: 3'], 'abc'],
  ['TE chunked', ['Transfer-Encoding: chunked'], CHUNKED_OK],
  ['TE Chunked', ['Transfer-Encoding: Chunked'], CHUNKED_OK],
  ['TE CHUNKED', ['Transfer-Encoding: CHUNKED'], CHUNKED_OK],
  ['TE OWS', ['Transfer-Encoding:  chunked '], CHUNKED_OK],
  ['TE + CL', ['Transfer-Encoding: chunked', 'Content-Length: 3'], CHUNKED_OK],
  ['CL + TE', ['Content-Length: 3', 'Transfer-Encoding: chunked'], CHUNKED_OK],
  ['TE + CL 0', ['Transfer-Encoding: chunked', 'Content-Length: 0'], CHUNKED_OK],
  ['TE gzip', ['Transfer-Encoding: gzip'], 'abc'],
  ['TE identity', ['Transfer-Encoding: identity'], 'abc'],
  ['TE gzip, chunked', ['Transfer-Encoding: gzip, chunked'], CHUNKED_OK],
  ['TE chunked, gzip', ['Transfer-Encoding: chunked, gzip'], CHUNKED_OK],
  ['TE chunked, chunked', ['Transfer-Encoding: chunked, chunked'], CHUNKED_OK],
  ['TE two fields', ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], CHUNKED_OK],
  ['TE gzip then chunked fields', ['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], CHUNKED_OK],
  ['TE chunkedx', ['Transfer-Encoding: chunkedx'], CHUNKED_OK],
  ['TE xchunked', ['Transfer-Encoding: xchunked'], CHUNKED_OK],
  ['TE comma chunked', ['Transfer-Encoding: ,chunked'], CHUNKED_OK],
  ['TE chunked comma', ['Transfer-Encoding: chunked,'], CHUNKED_OK],
  ['TE empty', ['Transfer-Encoding:'], 'abc'],
  ['TE chunked;q', ['Transfer-Encoding: chunked;q=1'], CHUNKED_OK],
  ['TE space before colon', ['Transfer-Encoding : chunked'], CHUNKED_OK],
  ['TE folded', ['Transfer-Encoding:', ' chunked'], CHUNKED_OK],
  ['Connection lists CL', ['Connection: content-length', 'Content-Length: 3'], 'abc'],
  ['Connection lists TE', ['Connection: transfer-encoding', 'Transfer-Encoding: chunked'], CHUNKED_OK],
  ['Connection lists host', ['Connection: host, x-request-id, traceparent, x-forwarded-for'], ''],
  ['Connection close', ['Connection: close'], ''],
  ['Connection close + CL', ['Connection: close', 'Content-Length: 3'], 'abc'],
  ['Connection keep-alive', ['Connection: keep-alive'], ''],
  ['Connection closed', ['Connection: closed'], ''],
  ['upgrade', ['Connection: upgrade', 'Upgrade: websocket'], ''],
  ['upgrade keep-alive', ['Connection: keep-alive, Upgrade', 'Upgrade: h2c'], ''],
  ['upgrade without Connection', ['Upgrade: websocket'], ''],
  ['Connection upgrade without Upgrade', ['Connection: upgrade'], ''],
  ['upgrade with CL', ['Connection: upgrade', 'Upgrade: websocket', 'Content-Length: 3'], 'abc'],
  [
    'upgrade with TE',
    ['Connection: upgrade', 'Upgrade: websocket', 'Transfer-Encoding: chunked'],
    CHUNKED_OK,
  ],
  ['expect 100', ['Expect: 100-continue', 'Content-Length: 3'], 'abc'],
  ['obs-fold', ['X-A: 1', ' 2'], ''],
  ['obs-fold tab', ['X-A: 1', '\t2'], ''],
  ['space before colon', ['X-A : 1'], ''],
  ['tab before colon', ['X-A\t: 1'], ''],
  ['no colon', ['X-A 1'], ''],
  ['empty name', [': 1'], ''],
  ['bad name char', ['X(A): 1'], ''],
  ['name with slash', ['X/A: 1'], ''],
  ['non-ASCII name', ['X\xe9: 1'], ''],
  ['NUL in value', ['X-A: a\x00b'], ''],
  ['control in value', ['X-A: a\x01b'], ''],
  ['DEL in value', ['X-A: a\x7fb'], ''],
  ['tab in value', ['X-A: a\tb'], ''],
  ['obs-text in value', ['X-A: caf\xe9'], ''],
  ['empty value', ['X-A:'], ''],
  ['bare CR in value', ['X-A: a\rb'], ''],
  ['x-request-id', ['X-Request-Id: abc'], ''],
  ['many fields', Array.from({ length: 60 }, (_, i) => `X-F${i}: ${i}`), ''],
  ['too many fields', Array.from({ length: 150 }, (_, i) => `X-F${i}: ${i}`), ''],
];

const HOST = 'Host: h.test';

function request(line: string, fields: string[], body: string, host = true): string {
  return `${line}\r\n${host ? `${HOST}\r\n` : ''}${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}${SENTINEL}`;
}

export function requestCases(): RequestCase[] {
  const out: RequestCase[] = [];
  for (const [name, fields, body] of FIELD_SETS) {
    out.push({ name: `POST 1.1 ${name}`, bytes: request('POST /p HTTP/1.1', fields, body) });
    out.push({ name: `GET 1.1 ${name}`, bytes: request('GET /g HTTP/1.1', fields, body) });
    out.push({
      name: `POST 1.0 ${name}`,
      bytes: request('POST /p HTTP/1.0', ['Connection: keep-alive', ...fields], body),
    });
  }
  for (const [name, body] of Object.entries(CHUNK_BODIES)) {
    out.push({
      name: `chunked ${name}`,
      bytes: request('POST /c HTTP/1.1', ['Transfer-Encoding: chunked'], body),
    });
    out.push({
      name: `chunked close ${name}`,
      bytes: request('PUT /c HTTP/1.1', ['Transfer-Encoding: chunked', 'Connection: close'], body),
    });
  }
  const lines: [string, string][] = [
    ['GET', 'GET / HTTP/1.1'],
    ['HEAD', 'HEAD / HTTP/1.1'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1'],
    ['GET *', 'GET * HTTP/1.1'],
    ['DELETE', 'DELETE /d HTTP/1.1'],
    ['PATCH', 'PATCH /d HTTP/1.1'],
    ['PURGE', 'PURGE /d HTTP/1.1'],
    ['M-SEARCH', 'M-SEARCH * HTTP/1.1'],
    ['lower method', 'get / HTTP/1.1'],
    ['unknown method', 'FOO / HTTP/1.1'],
    ['bad method char', 'G(T / HTTP/1.1'],
    ['CONNECT', 'CONNECT h.test:443 HTTP/1.1'],
    ['query', 'GET /a?b=c&d=%20 HTTP/1.1'],
    ['fragment', 'GET /a#frag HTTP/1.1'],
    ['absolute http', 'GET http://h.test/p?q=1 HTTP/1.1'],
    ['absolute https', 'GET https://h.test HTTP/1.1'],
    ['absolute port', 'GET http://h.test:8080/x HTTP/1.1'],
    ['absolute userinfo', 'GET http://u@h.test/x HTTP/1.1'],
    ['authority form', 'GET h.test:443 HTTP/1.1'],
    ['absolute quote in host', 'GET http://u"h/ HTTP/1.1'],
    ['absolute brackets', 'GET http://[::1]:80/ HTTP/1.1'],
    ['absolute percent', 'GET http://h%41.test/ HTTP/1.1'],
    ['absolute space-free odd host', "GET http://h!$&'()*+,;=.test/ HTTP/1.1"],
    ['absolute empty host', 'GET http:/// HTTP/1.1'],
    ['absolute query only', 'GET http://h.test?q HTTP/1.1'],
    ['double slash', 'GET //x HTTP/1.1'],
    ['tab in target', 'GET /a\tb HTTP/1.1'],
    ['space in target', 'GET /a b HTTP/1.1'],
    ['DEL in target', 'GET /a\x7f HTTP/1.1'],
    ['NUL in target', 'GET /a\x00 HTTP/1.1'],
    ['control in target', 'GET /a\x01 HTTP/1.1'],
    ['obs-text in target', 'GET /caf\xe9 HTTP/1.1'],
    ['quote in target', 'GET /"x" HTTP/1.1'],
    ['braces in target', 'GET /{x}|^` HTTP/1.1'],
    ['backslash in target', 'GET /a\\b HTTP/1.1'],
    ['HTTP/1.0', 'GET / HTTP/1.0'],
    ['HTTP/1.2', 'GET / HTTP/1.2'],
    ['HTTP/2.0', 'GET / HTTP/2.0'],
    ['HTTP/0.9', 'GET / HTTP/0.9'],
    ['HTTP/3', 'GET / HTTP/3'],
    ['lower protocol', 'GET / http/1.1'],
    ['no protocol', 'GET /'],
    ['double space', 'GET  / HTTP/1.1'],
    ['space before protocol', 'GET /  HTTP/1.1'],
    ['trailing space', 'GET / HTTP/1.1 '],
    ['leading space', ' GET / HTTP/1.1'],
    ['tab separator', 'GET\t/ HTTP/1.1'],
    ['empty target', 'GET  HTTP/1.1'],
  ];
  for (const [name, line] of lines) {
    out.push({ name: `line ${name}`, bytes: request(line, [], '') });
    out.push({
      name: `line ${name} with CL`,
      bytes: request(line.replace(/^GET/, 'POST'), ['Content-Length: 3'], 'abc'),
    });
  }
  const hosts: [string, string, string[]][] = [
    ['no Host 1.1', 'GET / HTTP/1.1', []],
    ['no Host 1.0', 'GET / HTTP/1.0', ['Connection: keep-alive']],
    ['two Host', 'GET / HTTP/1.1', ['Host: a.test', 'Host: b.test']],
    ['two Host same', 'GET / HTTP/1.1', ['Host: a.test', 'Host: a.test']],
    ['two Host 1.0', 'GET / HTTP/1.0', ['Host: a.test', 'Host: b.test']],
    ['empty Host', 'GET / HTTP/1.1', ['Host:']],
    ['Host with port', 'GET / HTTP/1.1', ['Host: a.test:80']],
    ['absolute no Host', 'GET http://a.test/ HTTP/1.1', []],
    ['absolute other Host', 'GET http://a.test/ HTTP/1.1', ['Host: b.test']],
  ];
  for (const [name, line, fields] of hosts) out.push({ name, bytes: request(line, fields, '', false) });
  const heads: [string, string][] = [
    ['bare LF head', 'GET / HTTP/1.1\nHost: h.test\n\n'],
    ['bare LF request line', 'GET / HTTP/1.1\nHost: h.test\r\n\r\n'],
    ['bare LF field', 'GET / HTTP/1.1\r\nHost: h.test\n\r\n'],
    ['bare LF end', 'GET / HTTP/1.1\r\nHost: h.test\r\n\n'],
    ['bare CR field', 'GET / HTTP/1.1\r\nHost: h.test\rX: 1\r\n\r\n'],
    ['leading CRLF', '\r\nGET / HTTP/1.1\r\nHost: h.test\r\n\r\n'],
    ['leading CRLF twice', '\r\n\r\nGET / HTTP/1.1\r\nHost: h.test\r\n\r\n'],
    ['leading LF', '\nGET / HTTP/1.1\r\nHost: h.test\r\n\r\n'],
    ['leading space line', ' \r\nGET / HTTP/1.1\r\nHost: h.test\r\n\r\n'],
    ['empty head', '\r\n\r\n'],
  ];
  for (const [name, head] of heads) out.push({ name, bytes: head + SENTINEL });
  return out;
}

export function responseCases(): ResponseCase[] {
  const out: ResponseCase[] = [];
  const statusLines = ['HTTP/1.1 200 OK', 'HTTP/1.0 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 500 '];
  for (const [name, fields, body] of FIELD_SETS) {
    if (name.startsWith('upgrade') || name === 'expect 100') continue;
    for (const sl of statusLines.slice(0, 2)) {
      out.push({
        name: `${sl} ${name}`,
        method: 'GET',
        bytes: `${sl}\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`,
      });
    }
    out.push({
      name: `HEAD ${name}`,
      method: 'HEAD',
      bytes: `HTTP/1.1 200 OK\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n${body}`,
    });
  }
  for (const [name, body] of Object.entries(CHUNK_BODIES)) {
    out.push({
      name: `chunked ${name}`,
      method: 'GET',
      bytes: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    });
  }
  const statuses: [string, string][] = [
    ['204 with CL', 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n'],
    ['304 with CL', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n'],
    ['304 chunked', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['100 then 200', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'],
    [
      '103 then 200',
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
    ],
    ['101 unasked', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n'],
    ['status 2 digits', 'HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n'],
    ['status 4 digits', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n'],
    ['status 099', 'HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n'],
    ['status 999', 'HTTP/1.1 999 X\r\nContent-Length: 0\r\n\r\n'],
    ['no reason', 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n'],
    ['empty reason', 'HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n'],
    ['tab after status', 'HTTP/1.1 200\tOK\r\nContent-Length: 0\r\n\r\n'],
    ['NUL in reason', 'HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n'],
    ['tab in reason', 'HTTP/1.1 200 O\tK\r\nContent-Length: 0\r\n\r\n'],
    ['obs-text reason', 'HTTP/1.1 200 caf\xe9\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.2 response', 'HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/2.0 response', 'HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['lower protocol response', 'http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['bare LF response', 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc'],
    ['bare LF field response', 'HTTP/1.1 200 OK\r\nContent-Length: 3\n\r\nabc'],
    ['double space response', 'HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['Connection lists CL', 'HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 3\r\n\r\nabc'],
    ['leading CRLF response', '\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nbb'],
    ['close-delimited', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'],
    ['keep-alive without length', 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nuntil the end'],
    ['CL shorter than body', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab'],
    ['CL longer than body', 'HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nabc'],
  ];
  for (const [name, bytes] of statuses) out.push({ name, method: 'GET', bytes });
  return out;
}
