import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../../src/cli/telemetry.js';
import { project } from '../project/helpers.js';

describe('startTelemetry', () => {
  it('counts what arrives while prom-client is still loading, and breaker events from then too', async () => {
    const p = await project('services:\n  api:\n    image: busybox\n');
    const t = startTelemetry({
      project: p,
      env: {},
      warn: () => undefined,
      sources: { gateway: () => undefined, replicas: () => [], usage: () => [], replicaOf: () => 1 },
    });
    const request = () =>
      t.access({
        ts: '2026-01-01T00:00:00.000Z',
        method: 'GET',
        path: '/',
        status: 200,
        durationMs: 1,
        requestId: 'r',
        traceId: 't',
        route: '/',
        service: 'api',
        replica: 'p-api-1',
        retries: 0,
      });
    // Synchronously, before the dynamic imports can have finished.
    for (let i = 0; i < 25; i++) request();
    t.event({
      time: '2026-01-01T00:00:00.000Z',
      type: 'breaker',
      service: 'api',
      replica: 1,
      state: 'open',
      route: '/',
    });
    const m = await t.metrics();
    expect(m.contentType).toMatch(/^text\/plain/);
    const parsed = parsePrometheusTextFormat(m.text);
    const total = parsed.find((f) => f.name === 'orch_gateway_requests_total');
    expect(total?.metrics.map((s) => [s.labels?.['replica'], s.value])).toEqual([['1', '25']]);
    const breaker = parsed.find((f) => f.name === 'orch_gateway_breaker_state');
    expect(breaker?.metrics.map((s) => s.value)).toEqual(['2']);
    // Once loaded, entries are counted as they come.
    for (let i = 0; i < 5; i++) request();
    const later = parsePrometheusTextFormat((await t.metrics()).text);
    const after = later.find((f) => f.name === 'orch_gateway_requests_total');
    expect(after?.metrics.map((s) => s.value)).toEqual(['30']);
    await t.close();
  });
});
