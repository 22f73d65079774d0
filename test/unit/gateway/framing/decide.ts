/**
 * The gateway's framing decision for a byte string, reached through the same parser calls the
 * client and upstream connections make (head, then body reader), reduced to the oracle's terms.
 */
import { BodyError, BodyReader } from '../../../../src/adapters/gateway/http1/body.js';
import {
  checkPartialHead,
  HeadError,
  headEnd,
  parseRequestHead,
  parseResponseHead,
  responseFraming,
  type Framing,
} from '../../../../src/adapters/gateway/http1/head.js';
import type { Decision } from './oracle.js';

export type GatewayDecision = Decision & { readonly reason?: string };

/** Refusals where the gateway is stricter than llhttp on purpose, and why. */
export const STRICTER: Readonly<Record<string, string>> = {
  'te-and-cl':
    'RFC 9112 §6.1: both framing fields is refused, even an empty Transfer-Encoding (llhttp reads one before the Content-Length as absent)',
  'two-host': 'RFC 9112 §3.2: more than one Host is a 400; llhttp keeps both and routing would pick one',
  'te-http10': 'RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing cannot be trusted',
  'te-coding': 'only chunked is forwarded; other codings are 501, as nginx answers',
  connect: 'the gateway is no forward proxy: CONNECT is refused (405), always',
  'upgrade-with-body': 'llhttp reads bytes after an Upgrade head as the new protocol, the gateway as a body',
  'too-many-headers': 'the x-orch.gateway.max_headers cap (llhttp has none)',
  'upgrade-not-asked': 'a 101 to a request that asked for no Upgrade is an upstream fault (502)',
  'userinfo-in-target': 'RFC 9110 §4.2.4: userinfo in an http URL is to be treated as an error',
  'unsupported-version': 'the gateway speaks HTTP/1.0 and 1.1 only (505); llhttp also reads 0.9 and 2.0',
  'extra-space':
    'RFC 9112 §3: one SP between method, target and version; a lenient split reads another target',
  'bad-status-range': 'a status below 100 is no HTTP status; refused (502) rather than passed on',
  'bad-scheme': 'an absolute-form target routes by its host: only http and https URLs can',
  'bad-reason': 'the reason phrase is written back to the client: control bytes are refused (502)',
  'bad-target':
    "RFC 9112 §3.2: a target is origin-form, absolute-form or '*' (OPTIONS); llhttp also passes on shapes such as `*a`",
  'bare-lf':
    'RFC 9112 §2.2: a lone CR or LF in a head is refused; llhttp tolerates some in responses (a bare CR after a status line)',
};

const skipCrlf = (buf: Buffer, i: number): number => {
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
};

/** Reads a body with `framing` from `buf[at..]`: the decoded payload and where it ended. */
function body(framing: Framing, buf: Buffer, at: number): { text: string; end: number } | undefined {
  let text = '';
  const reader = new BodyReader(framing, (b, s, e) => (text += b.toString('latin1', s, e)));
  let n: number;
  try {
    n = reader.consume(buf, at);
  } catch (e) {
    if (e instanceof BodyError) return undefined;
    throw e;
  }
  if (framing.kind === 'close') reader.endOfStream();
  if (!reader.done) return undefined;
  if (framing.kind !== 'chunked') text = buf.toString('latin1', at, at + n);
  return { text, end: at + n };
}

function refused(e: unknown): GatewayDecision {
  if (e instanceof HeadError) return { kind: 'reject', reason: e.reason };
  throw e;
}

/** What the gateway's client side does with `buf` sent by a client. */
export function requestDecision(buf: Buffer, maxHeaders?: number): GatewayDecision {
  const start = skipCrlf(buf, 0);
  const end = headEnd(buf, start);
  try {
    if (end < 0) {
      checkPartialHead(buf, start);
      return { kind: 'reject', reason: 'incomplete' };
    }
    const head = parseRequestHead(buf, start, end, maxHeaders);
    if (head.upgrade) return { kind: 'upgrade' };
    const b = body(head.framing, buf, end);
    if (b === undefined) return { kind: 'body-error' };
    const next: string[] = [];
    if (head.keepAlive) {
      const s2 = skipCrlf(buf, b.end);
      const e2 = headEnd(buf, s2);
      if (e2 > 0) {
        try {
          next.push(parseRequestHead(buf, s2, e2).url);
        } catch {
          // The next request is unreadable: refused on its own turn.
        }
      }
    }
    return { kind: 'message', body: b.text, next };
  } catch (e) {
    return refused(e);
  }
}

/** What the gateway's upstream side does with `buf` answering a `method` request. */
export function responseDecision(method: string, buf: Buffer, upgrade = false): GatewayDecision {
  let at = 0;
  try {
    for (;;) {
      at = skipCrlf(buf, at);
      const end = headEnd(buf, at);
      if (end < 0) return { kind: 'reject', reason: 'incomplete' };
      const head = parseResponseHead(buf, at, end);
      if (head.status < 200 && head.status !== 101) {
        at = end;
        continue;
      }
      if (head.status === 101)
        return upgrade ? { kind: 'upgrade' } : { kind: 'reject', reason: 'upgrade-not-asked' };
      const b = body(responseFraming(head, method), buf, end);
      return b === undefined ? { kind: 'body-error' } : { kind: 'message', body: b.text, next: [] };
    }
  } catch (e) {
    return refused(e);
  }
}

/** Whether the two decisions agree, or the gateway refused on purpose where llhttp did not. */
export function agree(gw: GatewayDecision, oracle: Decision): 'same' | 'stricter' | 'differ' {
  if (
    gw.kind === 'reject' &&
    gw.reason !== undefined &&
    STRICTER[gw.reason] !== undefined &&
    oracle.kind !== 'reject'
  )
    return 'stricter';
  // node:http asks for Host on plain requests only; the gateway on Upgrades too.
  if (gw.kind === 'reject' && gw.reason === 'no-host' && oracle.kind === 'upgrade') return 'stricter';
  // Both refuse the message; the gateway refusing at the head (before anything is forwarded)
  // where llhttp refuses once the body starts is the same decision, made earlier.
  const refused = (k: string): boolean => k === 'reject' || k === 'body-error';
  if (refused(gw.kind) && refused(oracle.kind)) return 'same';
  if (gw.kind !== oracle.kind) return 'differ';
  if (gw.kind === 'message' && oracle.kind === 'message') {
    if (gw.body !== oracle.body) return 'differ';
    if (gw.next.join(' ') !== oracle.next.join(' ')) return 'differ';
  }
  return 'same';
}
