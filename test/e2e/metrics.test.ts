import type { Server } from 'node:http';
import { totalmem } from 'node:os';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpReceiver, type ReceivedSpan } from '../integration/otlp-receiver.js';
import {
  echoServer,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('metrics');
/** A host process that keeps ~30 MB touched and works ~30 ms in every 100. */
const BUSY = `const b = Buffer.alloc(30 * 1024 * 1024, 1);
setInterval(() => { const t = Date.now(); while (Date.now() - t < 30) b[Math.floor(Math.random() * b.length)]++; }, 100);
`;
const N = 40;

let dir = '';
let base = '';
let receiver: { url: string; spans: ReceivedSpan[]; server: Server };
/** What each request's upstream got in `traceparent`: the trace id and the gateway's span id. */
const seen: { traceId: string; spanId: string; clientParent?: string }[] = [];

function requestsTotal(families: PromFamily[], route: string): number {
  const f = families.find((x) => x.name === 'orch_gateway_requests_total');
  return (f?.metrics ?? [])
    .filter((m) => m.labels?.['route'] === route)
    .reduce((n, m) => n + Number(m.value), 0);
}

describe('metrics, stats and traces of a running stack', () => {
  beforeAll(async () => {
    receiver = await otlpReceiver();
    const otlp = receiver.url.replace(/\/v1\/traces$/, '');
    dir = projectDir({
      'server.js': echoServer,
      'busy.js': BUSY,
      'orch.yaml': `
name: ${name}
services:
  busy:
    x-orch:
      process: { command: [node, busy.js] }
  echo:
    image: node:20-slim
    command: ["node", "/srv/server.js"]
    volumes: ["./server.js:/srv/server.js:ro"]
    deploy: { replicas: 2, resources: { limits: { memory: 256M } } }
    x-orch:
      probe:
        http: { path: /health, port: 3000 }
        interval: 300ms
x-orch:
  telemetry:
    otlp: ${otlp}
  gateway:
    port: 8080
    routes:
      - path: /echo
        service: echo
        port: 3000
        strip_prefix: true
`,
    });
    const up = await orch(['up', '-d', '--wait', '--timeout', '90', '--gateway-port', '0'], {
      cwd: dir,
      // The file's key is what this test checks; an endpoint in the runner's environment would win.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    });
    expect(up.code, up.stderr).toBe(0);
    base = gatewayUrl(up.stderr);
    for (let i = 0; i < N; i++) {
      // Every other request continues a client's trace; the rest start one at the gateway.
      const clientParent = i % 2 === 0 ? `${(i + 1).toString(16).padStart(16, '0')}` : undefined;
      const traceparent = clientParent
        ? `00-${'4bf92f3577b34da6a3ce929d0e0e' + (4700 + i).toString()}-${clientParent}-01`
        : undefined;
      const res = await fetch(`${base}/echo/item/${i}`, { headers: traceparent ? { traceparent } : {} });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { headers: Record<string, string> };
      const [, traceId = '', spanId = ''] = (body.headers['traceparent'] ?? '').split('-');
      seen.push({ traceId, spanId, ...(clientParent ? { clientParent } : {}) });
    }
  }, 180_000);

  afterAll(async () => {
    await orch(['down', '-t', '0', '-v'], { cwd: dir });
    forceClean(name);
    await new Promise((r) => receiver.server.close(r));
    expect(leftovers(name).containers).toEqual([]);
  });

  it('orch metrics prints counters, parsed by an independent Prometheus parser, equal to the requests sent', async () => {
    const r = await orch(['metrics'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const families = parsePrometheusTextFormat(r.stdout);
    expect(requestsTotal(families, '/echo')).toBe(N);
    const requests = families.find((f) => f.name === 'orch_gateway_requests_total');
    // Round robin over two replicas: each took half, all 2xx.
    expect(
      (requests?.metrics ?? []).map((m) => [m.labels?.['replica'], m.labels?.['code_class'], m.value]).sort(),
    ).toEqual([
      ['1', '2xx', String(N / 2)],
      ['2', '2xx', String(N / 2)],
    ]);
    const healthy = families.find((f) => f.name === 'orch_replica_healthy');
    expect(healthy?.metrics.map((m) => [m.labels?.['service'], m.value]).sort()).toEqual([
      ['busy', '1'],
      ['echo', '1'],
      ['echo', '1'],
    ]);
    expect(families.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'orch_gateway_request_duration_seconds',
        'orch_gateway_retries_total',
        'orch_gateway_in_flight',
        'orch_replica_restarts',
        'orch_otlp_spans_dropped_total',
      ]),
    );
  });

  it('serves /metrics on the dashboard server with the token only (401 without)', async () => {
    const d = await orch(['dashboard', '--json'], { cwd: dir });
    expect(d.code, d.stderr).toBe(0);
    const page = new URL((JSON.parse(d.stdout) as { url: string }).url);
    const token = page.searchParams.get('token') ?? '';
    const url = new URL('/metrics', page.origin);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(requestsTotal(parsePrometheusTextFormat(await res.text()), '/echo')).toBe(N);
  });

  it('exports one span per request with the trace and span ids the upstream saw in traceparent', async () => {
    await waitUntil(() => receiver.spans.length >= N, 30_000, `${N} spans at the receiver`);
    const byId = new Map(receiver.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    for (const s of seen) {
      const span = byId.get(`${s.traceId}/${s.spanId}`);
      expect(span, `a span ${s.traceId}/${s.spanId}`).toBeDefined();
      expect(span?.parentSpanId ?? '').toBe(s.clientParent ?? '');
      const attrs = Object.fromEntries(
        (span?.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
      );
      expect(attrs).toMatchObject({
        'orch.route': '/echo',
        'orch.service': 'echo',
        'http.response.status_code': 200,
      });
    }
    expect(receiver.spans).toHaveLength(N);
  });

  it('orch stats --no-stream --json shows every replica with sane numbers', async () => {
    const r = await orch(['stats', '--no-stream', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      service: string;
      replica: number;
      container: string;
      cpuPercent?: number;
      memoryBytes: number;
      memoryLimitBytes: number;
      memoryPercent?: number;
      rxBytes?: number;
      txBytes?: number;
      pids?: number;
    }[];
    expect(rows.map((x) => `${x.service}-${x.replica}`)).toEqual(['busy-1', 'echo-1', 'echo-2']);
    // The host process, read from /proc: its own CPU and memory, the host's memory as its limit
    // (as docker stats shows a container without one), and no network figures (it has none).
    const busy = rows[0]!;
    expect(busy.container).toBe(`${name}-busy-1`);
    expect(busy.cpuPercent).toBeGreaterThan(0);
    expect(busy.cpuPercent).toBeLessThan(400);
    expect(busy.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(busy.memoryLimitBytes).toBe(totalmem());
    expect(busy.memoryPercent).toBeGreaterThan(0);
    expect(busy).not.toHaveProperty('rxBytes');
    expect(busy).not.toHaveProperty('txBytes');
    expect(busy.pids).toBe(1);
    for (const x of rows.slice(1)) {
      expect(x.container).toBe(`${name}-echo-${x.replica}`);
      expect(x.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(x.cpuPercent).toBeLessThan(400);
      expect(x.memoryBytes).toBeGreaterThan(1024 * 1024);
      expect(x.memoryLimitBytes).toBe(256 * 1024 * 1024);
      expect(x.memoryPercent).toBeGreaterThan(0);
      // it answered N/2 requests through the gateway: bytes went both ways
      expect(x.rxBytes).toBeGreaterThan(1000);
      expect(x.txBytes).toBeGreaterThan(1000);
      expect(x.pids).toBeGreaterThanOrEqual(1);
    }
    const table = await orch(['stats', '--no-stream', 'echo'], { cwd: dir });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^SERVICE\s+REPLICA\s+CONTAINER\s+CPU %\s+MEM USAGE \/ LIMIT/,
    );
    expect(table.stdout).toContain('/ 256.00MiB');
    const busyLine = (await orch(['stats', '--no-stream', 'busy'], { cwd: dir })).stdout.split('\n')[1];
    expect(busyLine).toMatch(new RegExp(`^busy\\s+1\\s+${name}-busy-1\\s+[\\d.]+%\\s+.*\\s--\\s+1$`));
  });

  it("orch metrics has the host process replica's CPU and memory series, and no network ones", async () => {
    const series = (families: PromFamily[], metric: string, service: string) =>
      families.find((f) => f.name === metric)?.metrics.filter((m) => m.labels?.['service'] === service) ?? [];
    let families: PromFamily[] = [];
    // The stats test just read the figures, so the sampler has CPU readings; retried for a slow round.
    await waitUntil(
      async () => {
        const r = await orch(['metrics'], { cwd: dir });
        families = parsePrometheusTextFormat(r.stdout);
        return series(families, 'orch_replica_cpu_percent', 'busy').length === 1;
      },
      30_000,
      'a cpu series for the host process',
    );
    const cpu = series(families, 'orch_replica_cpu_percent', 'busy');
    expect(cpu.map((m) => m.labels?.['replica'])).toEqual(['1']);
    expect(Number(cpu[0]?.value)).toBeGreaterThan(0);
    const memory = series(families, 'orch_replica_memory_bytes', 'busy');
    expect(Number(memory[0]?.value)).toBeGreaterThan(10 * 1024 * 1024);
    const limit = series(families, 'orch_replica_memory_limit_bytes', 'busy');
    expect(Number(limit[0]?.value)).toBe(totalmem());
    for (const metric of ['orch_replica_network_receive_bytes', 'orch_replica_network_transmit_bytes']) {
      expect(series(families, metric, 'busy')).toEqual([]);
      expect(series(families, metric, 'echo')).toHaveLength(2);
    }
  });

  it('says clearly when no stack runs (exit 2)', async () => {
    const other = projectDir({ 'orch.yaml': `name: ${name}-idle\nservices:\n  a:\n    image: busybox\n` });
    for (const cmd of [['metrics'], ['stats', '--no-stream']]) {
      const r = await orch(cmd, { cwd: other });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not running under orch/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
