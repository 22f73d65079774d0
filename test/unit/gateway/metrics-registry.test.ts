import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../../src/adapters/gateway/access.js';
import { OrchMetrics, type MetricsSources } from '../../../src/adapters/metrics/registry.js';
import type { GatewayStats } from '../../../src/core/gateway/stats.js';
import type { OrchEvent } from '../../../src/model/events.js';

function entry(over: Partial<AccessEntry>): AccessEntry {
  return {
    ts: '2026-01-01T00:00:00.000Z',
    method: 'GET',
    path: '/api/x',
    status: 200,
    durationMs: 3,
    requestId: 'r',
    traceId: 't',
    route: '/api',
    service: 'api',
    replica: 'shop-api-1',
    retries: 0,
    ...over,
  };
}

const gatewayStats: GatewayStats = {
  routes: [
    {
      route: '/api',
      service: 'api',
      balance: 'round_robin',
      retries: 0,
      requests: 0,
      errors: 0,
      inFlight: 3,
      p50Ms: 0,
      p99Ms: 0,
      replicas: [
        {
          replica: 'shop-api-1',
          service: 'api',
          breaker: 'closed',
          id: 'c1',
          address: '127.0.0.1:1',
          healthy: true,
          ejected: false,
          requests: 0,
          errors: 0,
          inFlight: 2,
          p50Ms: 0,
          p99Ms: 0,
        },
        {
          replica: 'shop-api-2',
          service: 'api',
          breaker: 'closed',
          id: 'c2',
          address: '127.0.0.1:2',
          healthy: true,
          ejected: false,
          requests: 0,
          errors: 0,
          inFlight: 1,
          p50Ms: 0,
          p99Ms: 0,
        },
      ],
    },
  ],
};

const sources: MetricsSources = {
  gateway: () => gatewayStats,
  replicas: () => [
    { service: 'api', replica: 1, state: 'running', health: 'healthy', restarts: 2 },
    { service: 'api', replica: 2, state: 'running', health: 'unhealthy', restarts: 0 },
    { service: 'worker', replica: 1, state: 'running', health: 'none', restarts: 0 },
  ],
  usage: () => [
    {
      service: 'api',
      replica: 1,
      id: 'c1',
      container: 'shop-api-1',
      at: 0,
      cpuPercent: 12.5,
      memoryBytes: 1000,
      memoryLimitBytes: 4000,
      rxBytes: 10,
      txBytes: 20,
    },
    // A host process: no network figures of its own.
    {
      service: 'worker',
      replica: 1,
      id: 'proc-1',
      container: 'shop-worker-1',
      at: 0,
      cpuPercent: 50,
      memoryBytes: 3000,
      memoryLimitBytes: 8000,
    },
  ],
  replicaOf: (name) => (/^shop-api-(\d+)$/.exec(name) ? Number(name.slice(9)) : undefined),
};

function family(all: PromFamily[], name: string): PromFamily {
  const f = all.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in the output`);
  return f;
}

function value(f: PromFamily, labels: Record<string, string>): number | undefined {
  const m = f.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
}

describe('OrchMetrics', () => {
  it('counts requests by route, replica and status class from access entries, with latency and retries', async () => {
    const m = new OrchMetrics(sources);
    for (let i = 0; i < 7; i++) m.observe(entry({}));
    m.observe(entry({ status: 503, replica: 'shop-api-2', durationMs: 1500, retries: 1 }));
    m.observe({
      ts: '',
      method: 'GET',
      path: '/nowhere',
      status: 404,
      durationMs: 1,
      requestId: 'r',
      traceId: 't',
      retries: 0,
    });
    m.observe(entry({ status: 0, error: 'client closed' }));
    const parsed = parsePrometheusTextFormat(await m.text());
    const requests = family(parsed, 'orch_gateway_requests_total');
    expect(requests.type).toBe('COUNTER');
    expect(value(requests, { route: '/api', replica: '1', code_class: '2xx' })).toBe(7);
    expect(value(requests, { route: '/api', replica: '2', code_class: '5xx' })).toBe(1);
    expect(value(requests, { code_class: '4xx' })).toBe(1);
    expect(value(requests, { replica: '1', code_class: 'none' })).toBe(1);
    expect(requests.metrics.reduce((n, s) => n + Number(s.value), 0)).toBe(10);

    // The text parser above folds labelled histograms into one: the lines of replica 2 instead.
    expect(family(parsed, 'orch_gateway_request_duration_seconds').type).toBe('HISTOGRAM');
    const text = await m.text();
    const series = (suffix: string, le?: string): number | undefined => {
      const labels = `route="/api",service="api",replica="2"${le === undefined ? '' : `,le="${le}"`}`;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`orch_gateway_request_duration_seconds_${suffix}{${labels}} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    expect(series('bucket', '1')).toBe(0);
    expect(series('bucket', '2.5')).toBe(1);
    expect(series('bucket', '+Inf')).toBe(1);
    expect(series('count')).toBe(1);
    expect(series('sum')).toBeCloseTo(1.5);
    // replica 1: eight requests of 3 ms (one never answered), in cumulative buckets
    const r1 = (le: string): number | undefined =>
      Number(
        text
          .split('\n')
          .find((l) => l.includes('replica="1",le="' + le + '"'))
          ?.split(' ')[1],
      );
    expect([r1('0.001'), r1('0.0025'), r1('0.005'), r1('10'), r1('+Inf')]).toEqual([0, 0, 8, 8, 8]);

    const retries = family(parsed, 'orch_gateway_retries_total');
    expect(value(retries, { replica: '2' })).toBe(1);
    expect(value(retries, { replica: '1' })).toBe(0);
  });

  it('reads in-flight, health, restarts and engine figures when scraped', async () => {
    const parsed = parsePrometheusTextFormat(await new OrchMetrics(sources).text());
    const inFlight = family(parsed, 'orch_gateway_in_flight');
    expect(value(inFlight, { route: '/api', replica: '1' })).toBe(2);
    expect(value(inFlight, { route: '/api', replica: '2' })).toBe(1);
    const healthy = family(parsed, 'orch_replica_healthy');
    expect(value(healthy, { service: 'api', replica: '1' })).toBe(1);
    expect(value(healthy, { service: 'api', replica: '2' })).toBe(0);
    expect(value(healthy, { service: 'worker', replica: '1' })).toBe(1);
    expect(value(family(parsed, 'orch_replica_restarts'), { service: 'api', replica: '1' })).toBe(2);
    const api = { service: 'api', replica: '1' };
    expect(value(family(parsed, 'orch_replica_cpu_percent'), api)).toBe(12.5);
    expect(value(family(parsed, 'orch_replica_memory_bytes'), api)).toBe(1000);
    expect(value(family(parsed, 'orch_replica_memory_limit_bytes'), api)).toBe(4000);
    expect(value(family(parsed, 'orch_replica_network_receive_bytes'), api)).toBe(10);
    expect(value(family(parsed, 'orch_replica_network_transmit_bytes'), api)).toBe(20);
    const worker = { service: 'worker', replica: '1' };
    expect(value(family(parsed, 'orch_replica_cpu_percent'), worker)).toBe(50);
    expect(value(family(parsed, 'orch_replica_memory_bytes'), worker)).toBe(3000);
    for (const net of ['orch_replica_network_receive_bytes', 'orch_replica_network_transmit_bytes'])
      expect(family(parsed, net).metrics.map((m) => m.labels?.['service'])).toEqual(['api']);
  });

  it('keeps the last breaker state per replica from breaker events; counts dropped spans', async () => {
    const m = new OrchMetrics(sources);
    const at = (state: 'open' | 'half-open' | 'closed', replica: number): OrchEvent => ({
      time: '2026-01-01T00:00:00.000Z',
      type: 'breaker',
      service: 'api',
      replica,
      state,
      route: '/api',
    });
    m.onEvent(at('open', 1));
    m.onEvent(at('open', 2));
    m.onEvent(at('half-open', 2));
    m.onEvent({ time: '2026-01-01T00:00:00.000Z', type: 'healthy', service: 'api', replica: 1 });
    m.spansDropped(3);
    const parsed = parsePrometheusTextFormat(await m.text());
    const breaker = family(parsed, 'orch_gateway_breaker_state');
    expect(value(breaker, { service: 'api', replica: '1' })).toBe(2);
    expect(value(breaker, { service: 'api', replica: '2' })).toBe(1);
    expect(Number(family(parsed, 'orch_otlp_spans_dropped_total').metrics[0]?.value)).toBe(3);
  });

  it('escapes label values as the text format wants', async () => {
    const m = new OrchMetrics(sources);
    m.observe(entry({ route: '/a"b\\c\nd' }));
    const requests = family(parsePrometheusTextFormat(await m.text()), 'orch_gateway_requests_total');
    expect(value(requests, { route: '/a"b\\c\nd', code_class: '2xx' })).toBe(1);
  });

  it('uses a registry of its own: two stacks in one process do not mix', async () => {
    const a = new OrchMetrics(sources);
    const b = new OrchMetrics(sources);
    a.observe(entry({}));
    const inB = family(parsePrometheusTextFormat(await b.text()), 'orch_gateway_requests_total');
    expect(inB.metrics).toHaveLength(0);
  });
});
