// Gateway throughput with metrics on, and with metrics and tracing on (OTLP to a local sink),
// against both off, over the same 3 loopback upstreams, measured with wrk; prints the ratios
// (goal: on costs at most 5%).
// Run `npm run build` first; then `bash bench/gateway/run.sh telemetry`.
// Env: DURATION (s, default 10), CONNECTIONS (50), THREADS (2), ROUNDS (3), WARMUP (s, 3).
import { execFile } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { promisify } from 'node:util';
import { children, forkReady, freePort, settings } from './lib.mjs';

const run = promisify(execFile);
const { DURATION, CONNECTIONS, THREADS, ROUNDS, WARMUP } = settings(3);

async function wrk(port, seconds) {
  const { stdout } = await run('wrk', [
    `-t${THREADS}`,
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    `http://127.0.0.1:${port}/`,
  ]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}

// The collector: takes every export and counts its spans (JSON body, as the exporter sends).
let spans = 0;
let exports = 0;
const sink = httpServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    exports++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});

try {
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/v1/traces`;
  const upstreams = [await freePort(), await freePort(), await freePort()];
  for (const p of upstreams) await forkReady('upstream.mjs', [p]);
  const variants = [
    { name: 'off', env: {} },
    { name: 'metrics', env: { METRICS: '1' } },
    { name: 'all', env: { METRICS: '1', OTLP_SINK: sinkUrl } },
  ];
  for (const v of variants) {
    v.port = await freePort();
    v.child = await forkReady('gateway.mjs', [v.port, ...upstreams], v.env);
    v.rps = [];
    v.cpu = [];
  }
  const cpu = (child) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });

  console.log(
    `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, rotating order; 3 upstreams`,
  );
  console.log('off: no telemetry; metrics: /metrics counting (scraped every 1 s); all: metrics + OTLP spans');
  for (const v of variants) await wrk(v.port, WARMUP);
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate which goes first, so a drift of the machine's load falls on all alike.
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    for (const v of order) {
      const before = await cpu(v.child);
      const rps = await wrk(v.port, DURATION);
      // The spans of this round leave in the next second: the CPU figure includes their export.
      await new Promise((res) => setTimeout(res, 1500));
      const after = await cpu(v.child);
      const us = (after.cpuUs - before.cpuUs) / (after.lines - before.lines);
      v.rps.push(rps);
      v.cpu.push(us);
      console.log(
        `round ${r + 1} ${v.name.padEnd(7)} ${rps.toFixed(0).padStart(7)} req/s  ${us.toFixed(1)} µs CPU/request`,
      );
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Let the last batch leave before counting what the sink got.
  await new Promise((res) => setTimeout(res, 2500));
  console.log('');
  const [off, ...on] = variants;
  for (const v of variants)
    console.log(
      `${v.name.padEnd(7)} ${mean(v.rps).toFixed(0).padStart(7)} req/s  ${mean(v.cpu).toFixed(1)} µs CPU/request`,
    );
  console.log(`(the sink got ${spans} spans in ${exports} OTLP exports)`);
  // The gateway is bound by one core: its throughput ceiling is 1 / (CPU per request), a figure
  // that holds steadier than req/s while other work shares the machine.
  for (const v of on)
    console.log(
      `ratio ${v.name}/off  throughput ${(mean(v.rps) / mean(off.rps)).toFixed(3)}x   by CPU per request ${(mean(off.cpu) / mean(v.cpu)).toFixed(3)}x   (goal >= 0.95x)`,
    );
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  sink.close();
}
