import { describe, expect, it } from 'vitest';
import { otlpJson, unixNanos } from '../../../src/adapters/metrics/otlp-json.js';
import { accessEntry } from '../../fakes/access-entry.js';

const parse = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));
const s = (stringValue: string) => ({ stringValue });

describe('otlpJson', () => {
  it('writes the request the OpenTelemetry SDK sends for the same spans (less default fields)', () => {
    const body = parse(
      otlpJson(
        [
          accessEntry({}),
          accessEntry({
            spanId: '00f067aa0ba902b7',
            parentSpanId: 'a3ce929d0e0e4736',
            status: 503,
            retries: 2,
            durationMs: 1000.25,
          }),
        ],
        { project: 'shop' },
      ),
    );
    const attrs = (status: number, retries: number) => [
      { key: 'http.request.method', value: s('GET') },
      { key: 'url.path', value: s('/api/items') },
      { key: 'http.response.status_code', value: { intValue: status } },
      { key: 'orch.route', value: s('/api') },
      { key: 'orch.service', value: s('api') },
      { key: 'orch.replica', value: s('shop-api-1') },
      { key: 'orch.retries', value: { intValue: retries } },
      { key: 'orch.request_id', value: s('req-1') },
    ];
    expect(body).toEqual({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: s('orch-gateway') },
              { key: 'orch.project', value: s('shop') },
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'orch-gateway' },
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'GET /api',
                  kind: 2,
                  startTimeUnixNano: '1767225600987500000',
                  endTimeUnixNano: '1767225601000000000',
                  attributes: attrs(200, 0),
                  status: {},
                  flags: 0x101,
                },
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: '00f067aa0ba902b7',
                  parentSpanId: 'a3ce929d0e0e4736',
                  name: 'GET /api',
                  kind: 2,
                  startTimeUnixNano: '1767225599999750000',
                  endTimeUnixNano: '1767225601000000000',
                  attributes: attrs(503, 2),
                  status: { code: 2, message: 'status 503' },
                  flags: 0x301,
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('escapes what JSON must and keeps text past ASCII, however long the batch', () => {
    const odd = 'q"b\\s\n\u0001 é 漢 😀';
    const many = Array.from({ length: 300 }, (_, i) => {
      const { route: _none, ...e } = accessEntry(i === 299 ? { path: odd, error: odd } : { path: `/p/${i}` });
      return e;
    });
    const body = parse(otlpJson(many, { project: odd })) as {
      resourceSpans: [
        {
          resource: { attributes: { value: { stringValue: string } }[] };
          scopeSpans: [{ spans: { name: string; status: { message?: string } }[] }];
        },
      ];
    };
    const [rs] = body.resourceSpans;
    expect(rs.resource.attributes[1]?.value.stringValue).toBe(odd);
    const spans = rs.scopeSpans[0].spans;
    expect(spans).toHaveLength(300);
    expect(spans[0]?.name).toBe('GET /p/0');
    expect(spans[299]?.name).toBe(`GET ${odd}`);
    expect(spans[299]?.status.message).toBe(odd);
  });
});

describe('unixNanos', () => {
  it('is exact past 2^53 nanoseconds and borrows whole seconds', () => {
    const at = Date.parse('2026-01-01T00:00:01.000Z');
    expect(unixNanos(at, 0)).toBe(`${BigInt(at) * 1_000_000n}`);
    expect(BigInt(unixNanos(at, 0)) - BigInt(unixNanos(at, 12.5))).toBe(12_500_000n);
    expect(BigInt(unixNanos(at + 7, 0)) - BigInt(unixNanos(at + 7, 2500.000123))).toBe(2_500_000_123n);
    expect(unixNanos(at + 999, 0.5)).toBe(`${BigInt(at + 998) * 1_000_000n + 500_000n}`);
  });
});
