// The telemetry path alone, in a process of its own: access entries shaped like the gateway's
// go through the stack's startTelemetry (metrics, or metrics and OTLP spans to OTLP_SINK) in
// batches after each turn, as the gateway hands them out, and the CPU time it takes per entry
// (the export included) is sent to the parent. It is what telemetry adds to each request,
// without the noise of the proxying around it.
// node bench/gateway/telemetry-path.mjs ENTRIES ROUNDS (forked by telemetry.mjs)
import { randomBytes } from 'node:crypto';
import { startTelemetry } from '../../dist/cli/telemetry.js';

const [entries, rounds] = process.argv.slice(2).map(Number);
const BATCH = 64;
// 64 entries every 4 ms: 16,000 requests/s, about the gateway's best on this kind of machine.
const turn = () => new Promise((r) => setTimeout(r, 4));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Ids from a pool, so that making an entry costs little beside what is measured.
const pool = (bytes) => Array.from({ length: 4096 }, () => randomBytes(bytes).toString('hex'));
const [traceIds, spanIds, requestIds] = [pool(16), pool(8), pool(8)];

function telemetry(otlp) {
  const t = startTelemetry({
    project: { name: 'bench', orch: {} },
    env: otlp ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: process.env.OTLP_SINK } : {},
    warn: (l) => console.error(l),
    sources: {
      gateway: () => undefined,
      replicas: () => [],
      usage: () => [],
      replicaOf: (name) => Number(name.slice('hello-'.length)),
    },
  });
  setInterval(() => void t.metrics(), 1000).unref();
  return t;
}

async function feed(t) {
  const start = process.cpuUsage();
  for (let i = 0; i < entries; i += BATCH) {
    const ts = new Date().toISOString();
    for (let j = i; j < i + BATCH && j < entries; j++)
      t.access({
        ts,
        method: 'GET',
        path: '/',
        status: 200,
        service: 'hello',
        replica: `hello-${(j % 3) + 1}`,
        durationMs: 0.8 + (j % 7) / 10,
        requestId: requestIds[j & 4095],
        traceId: traceIds[j & 4095],
        spanId: spanIds[j & 4095],
        route: '/',
        retries: 0,
      });
    await turn();
  }
  await sleep(1500);
  const u = process.cpuUsage(start);
  return (u.user + u.system) / entries;
}

// The entries themselves (ids, timestamps) cost the same with telemetry off: measured apart.
async function baseline() {
  return feed({ access: () => undefined });
}

const variants = { base: baseline, metrics: telemetry(false), all: telemetry(true) };
await variants.metrics.metrics();
await variants.all.metrics();
const us = { base: [], metrics: [], all: [] };
for (let r = 0; r < rounds; r++)
  for (const name of r % 2 ? ['all', 'metrics', 'base'] : ['base', 'metrics', 'all'])
    us[name].push(name === 'base' ? await baseline() : await feed(variants[name]));
process.send?.(us);
await Promise.all([variants.metrics.close(), variants.all.close()]);
process.exit(0);
