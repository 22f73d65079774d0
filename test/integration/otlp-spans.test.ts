import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpSpans } from '../../src/adapters/metrics/otlp.js';
import { otlpReceiver } from './otlp-receiver.js';
import { accessEntry } from '../fakes/access-entry.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('otlpSpans', () => {
  it('exports one span per entry with the trace and span ids the upstream got, and the timing', async () => {
    const rx = await otlpReceiver();
    servers.push(rx.server);
    const spans = otlpSpans({
      url: rx.url,
      project: 'shop',
      dropped: () => undefined,
      warn: () => undefined,
      scheduledDelayMillis: 50,
    });
    spans.record(accessEntry({ retries: 1 }));
    spans.record(
      accessEntry({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        parentSpanId: 'a3ce929d0e0e4736',
        status: 503,
      }),
    );
    // Refused before routing: no trace was started, so no span.
    const { spanId: _unused, ...refused } = accessEntry({ traceId: '' });
    spans.record(refused);
    await until('two spans', () => rx.spans.length >= 2);
    await spans.close();
    expect(rx.spans).toHaveLength(2);
    const [a, b] = rx.spans;
    expect(a).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
    expect(a?.parentSpanId ?? '').toBe('');
    expect(b).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: 'a3ce929d0e0e4736',
    });
    const end = BigInt(Date.parse('2026-01-01T00:00:01.000Z')) * 1_000_000n;
    expect(BigInt(a?.endTimeUnixNano ?? 0)).toBe(end);
    expect(BigInt(a?.endTimeUnixNano ?? 0) - BigInt(a?.startTimeUnixNano ?? 0)).toBe(12_500_000n);
    const attrs = Object.fromEntries((a?.attributes ?? []).map((x) => [x.key, Object.values(x.value)[0]]));
    expect(attrs).toMatchObject({
      'orch.route': '/api',
      'orch.service': 'api',
      'orch.replica': 'shop-api-1',
      'http.response.status_code': 200,
      'orch.retries': 1,
    });
  });

  it('drops spans a dead collector cannot take, counts them, and warns once', async () => {
    // A port that was just free: nothing listens there.
    const gone = await otlpReceiver();
    await new Promise((r) => gone.server.close(r));
    let dropped = 0;
    const warnings: string[] = [];
    const spans = otlpSpans({
      url: gone.url,
      project: 'shop',
      dropped: (n) => (dropped += n),
      warn: (l) => warnings.push(l),
      scheduledDelayMillis: 50,
      timeoutMillis: 1000,
      maxQueueSize: 4,
    });
    const t0 = performance.now();
    for (let i = 0; i < 10; i++)
      spans.record(accessEntry({ spanId: `b7ad6b71692033${String(i).padStart(2, '0')}` }));
    // recording only queues: the requests never wait on the collector
    expect(performance.now() - t0).toBeLessThan(1000);
    await until('all ten counted as dropped', () => dropped === 10);
    await spans.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed/);
  });
});
