// The orch gateway (built code in dist/) over the benchmark upstreams:
// node bench/gateway/gateway.mjs PORT UPSTREAM_PORT...
// With METRICS=1: every access entry counted, scraped every second as a Prometheus would; with
// OTLP_SINK=URL as well, a span per request exported to that URL, as `orch up` runs them.
import { Gateway } from '../../dist/adapters/gateway/index.js';

const [port, ...upstreams] = process.argv.slice(2).map(Number);
let lines = 0;
let onEntry = () => undefined;
let telemetry;
if (process.env.METRICS === '1') {
  // The stack's own telemetry (dist/cli/telemetry.js), so the bench measures what `orch up` runs.
  const { startTelemetry } = await import('../../dist/cli/telemetry.js');
  telemetry = startTelemetry({
    project: { name: 'bench', orch: {} },
    env: process.env.OTLP_SINK ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: process.env.OTLP_SINK } : {},
    warn: (l) => console.error(l),
    sources: {
      gateway: () => gw.stats(),
      replicas: () => [],
      usage: () => [],
      replicaOf: (name) => Number(name.slice('hello-'.length)),
    },
  });
  setInterval(() => void telemetry.metrics(), 1000).unref();
  onEntry = (e) => telemetry.access(e);
}
const gw = new Gateway(
  {
    port,
    host: '127.0.0.1',
    timeoutMs: 30_000,
    routes: [
      {
        path: '/',
        service: 'hello',
        port: 8000,
        stripPrefix: false,
        balance: 'round_robin',
        pos: { file: '', line: 0, col: 0 },
      },
    ],
  },
  // The access callback is where `orch up` hands lines to the log stream; here they are counted.
  {
    onAccess: (e) => {
      lines++;
      onEntry(e);
    },
  },
);
gw.setReplicas(
  'hello',
  upstreams.map((p, i) => ({
    id: `c${i + 1}`,
    name: `hello-${i + 1}`,
    service: 'hello',
    replica: i + 1,
    healthy: true,
    ports: [{ containerPort: 8000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: p }],
  })),
);
await gw.start();
// Loaded before `ready`, so the first round counts like the rest.
await telemetry?.metrics();
process.send?.('ready');
// CPU time so far and requests answered: CPU per request is steadier than req/s on a busy box.
process.on('message', (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpuUs: u.user + u.system, lines });
  }
});
process.on('SIGTERM', () => {
  void gw.stop().then(() => {
    process.send?.({ lines, stats: gw.stats() });
    process.exit(0);
  });
});
