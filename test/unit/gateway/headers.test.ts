import { describe, expect, it } from 'vitest';
import {
  forwardRequestHeaders,
  forwardResponseHeaders,
  nextTraceparent,
  parseTraceparent,
  type IdSource,
} from '../../../src/core/gateway/index.js';

const TP = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Counter-based hex so each id differs and tests are deterministic. */
function ids(): IdSource {
  let n = 0;
  return { hex: (bytes) => (++n).toString(16).padStart(bytes * 2, 'a') };
}
const ctx = (upgrade = false) => ({ ids: ids(), clientIp: '127.0.0.1', proto: 'http' as const, upgrade });
const get = (h: readonly string[], name: string) => {
  const out: string[] = [];
  for (let i = 0; i < h.length; i += 2) if (h[i]!.toLowerCase() === name) out.push(h[i + 1]!);
  return out;
};

describe('traceparent', () => {
  const client = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';

  it('parses a valid header and rejects invalid ones', () => {
    expect(parseTraceparent(client)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '00',
    });
    for (const bad of [
      undefined,
      '',
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')?.flags).toBe(
      '01',
    );
  });

  it('continues a client trace: same trace id, new span id, flags kept', () => {
    const next = nextTraceparent(parseTraceparent(client), ids());
    expect(next.value).toMatch(TP);
    expect(next.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(next.value.slice(36, 52)).not.toBe('00f067aa0ba902b7');
    expect(next.value.endsWith('-00')).toBe(true);
  });

  it('starts a new sampled trace without (or with an invalid) client traceparent', () => {
    const next = nextTraceparent(parseTraceparent('nope'), ids());
    expect(next.value).toMatch(TP);
    expect(next.value.endsWith('-01')).toBe(true);
    expect(next.value.slice(3, 35)).toBe(next.traceId);
  });
});

describe('forwardRequestHeaders', () => {
  it('strips hop-by-hop and Connection-listed headers, adds ids and forwarded headers', () => {
    const f = forwardRequestHeaders(
      [
        'Host',
        'api.localhost:8080',
        'Connection',
        'keep-alive, X-Secret',
        'Keep-Alive',
        'timeout=5',
        'X-Secret',
        'x',
        'Proxy-Authorization',
        'y',
        'TE',
        'trailers',
        'Transfer-Encoding',
        'chunked',
        'Upgrade',
        'h2c',
        'X-Forwarded-For',
        '10.0.0.1',
        'Accept',
        '*/*',
      ],
      ctx(),
    );
    const names = f.headers.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const gone of [
      'connection',
      'keep-alive',
      'x-secret',
      'proxy-authorization',
      'te',
      'transfer-encoding',
      'upgrade',
    ]) {
      expect(names).not.toContain(gone);
    }
    expect(get(f.headers, 'accept')).toEqual(['*/*']);
    expect(get(f.headers, 'host')).toEqual(['api.localhost:8080']);
    expect(get(f.headers, 'x-forwarded-for')).toEqual(['10.0.0.1, 127.0.0.1']);
    expect(get(f.headers, 'x-forwarded-proto')).toEqual(['http']);
    expect(get(f.headers, 'x-forwarded-host')).toEqual(['api.localhost:8080']);
    expect(get(f.headers, 'x-request-id')).toEqual([f.requestId]);
    expect(get(f.headers, 'traceparent')[0]).toMatch(TP);
    expect(f.hasBody).toBe(true);
    expect(f.host).toBe('api.localhost:8080');
  });

  it('keeps a client x-request-id and continues its trace (tracestate kept)', () => {
    const f = forwardRequestHeaders(
      [
        'x-request-id',
        'abc-123',
        'traceparent',
        '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'tracestate',
        'k=v',
        'content-length',
        '0',
      ],
      ctx(),
    );
    expect(f.requestId).toBe('abc-123');
    expect(get(f.headers, 'x-request-id')).toEqual(['abc-123']);
    expect(f.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(get(f.headers, 'traceparent')).toHaveLength(1);
    expect(get(f.headers, 'tracestate')).toEqual(['k=v']);
    expect(f.hasBody).toBe(false);
  });

  it('replaces an unusable request id and drops tracestate of an invalid traceparent', () => {
    const f = forwardRequestHeaders(
      ['x-request-id', 'has space', 'traceparent', 'bad', 'tracestate', 'k=v'],
      ctx(),
    );
    expect(f.requestId).not.toBe('has space');
    expect(get(f.headers, 'x-request-id')).toEqual([f.requestId]);
    expect(get(f.headers, 'tracestate')).toEqual([]);
  });

  it('keeps Upgrade/Connection for upgrade requests', () => {
    const f = forwardRequestHeaders(['Connection', 'Upgrade', 'Upgrade', 'websocket'], ctx(true));
    expect(get(f.headers, 'connection')).toEqual(['upgrade']);
    expect(get(f.headers, 'upgrade')).toEqual(['websocket']);
  });
});

describe('forwardResponseHeaders', () => {
  it('strips hop-by-hop both ways and adds x-request-id when missing', () => {
    const raw = [
      'Content-Type',
      'text/plain',
      'Connection',
      'keep-alive, X-Internal',
      'X-Internal',
      '1',
      'Transfer-Encoding',
      'chunked',
      'Keep-Alive',
      'timeout=5',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
    ];
    const out = forwardResponseHeaders(raw, 'rid');
    expect(out).toEqual([
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'x-request-id',
      'rid',
    ]);
  });

  it('keeps the upstream x-request-id', () => {
    const out = forwardResponseHeaders(['X-Request-Id', 'up'], 'rid');
    expect(out).toEqual(['X-Request-Id', 'up']);
  });
});

describe('a Connection listing cannot remove framing, routing or the gateway stamps', () => {
  const protectedNames =
    'content-length, transfer-encoding, host, x-request-id, traceparent, tracestate, x-forwarded-for, x-forwarded-proto, x-forwarded-host, x-forwarded-port';

  it('in requests: Host, ids, trace and forwarded headers stay; the listed others go', () => {
    const client = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const f = forwardRequestHeaders(
      [
        'Host',
        'a.test',
        'Connection',
        `keep-alive, ${protectedNames}, x-other`,
        'Content-Length',
        '3',
        'X-Request-Id',
        'client-id',
        'traceparent',
        client,
        'tracestate',
        'k=v',
        'X-Forwarded-For',
        '10.0.0.1',
        'X-Other',
        'gone',
      ],
      ctx(),
    );
    expect(get(f.headers, 'host')).toEqual(['a.test']);
    expect(get(f.headers, 'x-request-id')).toEqual(['client-id']);
    expect(get(f.headers, 'traceparent')[0]).toMatch(TP);
    expect(get(f.headers, 'tracestate')).toEqual(['k=v']);
    expect(get(f.headers, 'x-forwarded-for')).toEqual(['10.0.0.1, 127.0.0.1']);
    expect(get(f.headers, 'x-forwarded-proto')).toEqual(['http']);
    expect(get(f.headers, 'x-forwarded-host')).toEqual(['a.test']);
    expect(get(f.headers, 'x-other')).toEqual([]);
    // The body's framing line is the gateway's own (written from what it read), never the client's.
    expect(get(f.headers, 'content-length')).toEqual([]);
    expect(f.hasBody).toBe(true);
  });

  it('in responses: Content-Length and the request id stay', () => {
    const out = forwardResponseHeaders(
      ['Connection', `${protectedNames}, x-internal`, 'Content-Length', '3', 'X-Internal', '1'],
      'rid',
    );
    expect(out).toEqual(['Content-Length', '3', 'x-request-id', 'rid']);
  });
});
