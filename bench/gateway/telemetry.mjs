// What telemetry costs the gateway: off, metrics on, and metrics with a span per request sent
// over OTLP to a local receiver that takes and discards them, over the same 3 loopback upstreams.
//
// The main figure is the gateway process's CPU time per request (process.cpuUsage() deltas,
// every thread of the process, over a fixed number of requests, including the export that
// follows them). The gateway is bound by one core, so its throughput ceiling is 1 / (CPU per
// request): that is what throughput loses to telemetry on a CPU-bound gateway, and it holds
// steadier than req/s while other work shares the machine. wrk's req/s is printed too. The
// variants take turns (ABC, BCA, CAB, ...) so a drift of the machine's load falls on all alike;
// the figures are medians over the rounds. Goal: on costs at most 5% (ratio >= 0.95).
//
// Run `npm run build` first; then `bash bench/gateway/run.sh telemetry`.
// Env: REQUESTS (per round, default 100000), ROUNDS (7), CONNECTIONS (50), THREADS (2),
// WARMUP (s, 3). CPU_PROF=DIR writes a `node --cpu-prof` profile of each gateway there.
import { fork, spawn } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, forkReady, freePort, settings } from './lib.mjs';

const { CONNECTIONS, THREADS, ROUNDS, WARMUP } = settings(7);
const REQUESTS = Number(process.env.REQUESTS ?? 100_000);
const here = dirname(fileURLToPath(import.meta.url));

/** wrk for `seconds`, or until the gateway has answered `requests` more (then it is interrupted). */
function wrk(v, { requests, seconds }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds ?? 600}s`, `http://127.0.0.1:${v.port}/`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', async () => {
      clearInterval(poll);
      while (asking) await new Promise((r) => setTimeout(r, 5));
      resolve(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN));
    });
    let until;
    let asking = false;
    // wrk has no request count; it prints its figures when interrupted.
    const poll = requests
      ? setInterval(async () => {
          if (asking) return;
          asking = true;
          const { lines } = await cpu(v.child);
          asking = false;
          until ??= lines + requests;
          if (lines >= until) child.kill('SIGINT');
        }, 20)
      : undefined;
  });
}

/** The gateway's CPU time so far (µs) and the requests it answered. */
const cpu = (child) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send('cpu');
  });

// The collector: takes every export and discards it, counting bodies, bytes and spans (a span is
// where a "traceId" key is; native search, so the sink takes little of the CPU the gateway shares).
let spans = 0;
let exports = 0;
let bytes = 0;
const key = Buffer.from('"traceId":');
const sink = httpServer((req, res) => {
  req.on('data', (c) => {
    bytes += c.length;
    // A chunk edge can split a key: the count can be a few short, never over.
    for (let i = c.indexOf(key); i !== -1; i = c.indexOf(key, i + key.length)) spans++;
  });
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

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
  const prof = process.env.CPU_PROF;
  for (const v of variants) {
    v.port = await freePort();
    const execArgv = prof
      ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${v.name}.cpuprofile`]
      : [];
    v.child = await forkReady('gateway.mjs', [v.port, ...upstreams], v.env, execArgv);
    v.rps = [];
    v.cpu = [];
  }
  console.log(
    `wrk -t${THREADS} -c${CONNECTIONS}, ${REQUESTS} requests per round, ${ROUNDS} rounds in turn; 3 upstreams`,
  );
  console.log('off: no telemetry; metrics: /metrics counting (scraped every 1 s); all: metrics + OTLP spans');
  for (const v of variants) await wrk(v, { seconds: WARMUP });
  for (let r = 0; r < ROUNDS; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    for (const v of order) {
      const before = await cpu(v.child);
      const rps = await wrk(v, { requests: REQUESTS });
      // The spans of this round leave within the next second: the CPU figure includes their export.
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
  // Let the last batch leave before counting what the sink got.
  await new Promise((res) => setTimeout(res, 2500));
  console.log('');
  const [off, ...on] = variants;
  for (const v of variants)
    console.log(
      `${v.name.padEnd(7)} median ${median(v.rps).toFixed(0).padStart(7)} req/s  ${median(v.cpu).toFixed(1)} µs CPU/request`,
    );
  console.log(`(the sink got ${spans} spans in ${exports} OTLP exports, ${(bytes / 1e6).toFixed(1)} MB)`);
  for (const v of on)
    console.log(
      `ratio ${v.name}/off  by CPU per request ${(median(off.cpu) / median(v.cpu)).toFixed(3)}x   throughput ${(median(v.rps) / median(off.rps)).toFixed(3)}x   (goal >= 0.95x)`,
    );
  // The telemetry path alone (see telemetry-path.mjs): what it adds per request, against the
  // gateway's own CPU per request with it off.
  const path = await new Promise((resolve, reject) => {
    const child = fork(join(here, 'telemetry-path.mjs'), ['50000', '5'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, OTLP_SINK: sinkUrl },
    });
    child.once('message', resolve);
    child.once('error', reject);
  });
  const base = median(path.base);
  console.log('');
  console.log(
    `telemetry path alone, medians of 5 rounds of 50,000 entries at 16,000/s (less ${base.toFixed(2)} µs to make an entry):`,
  );
  for (const v of on) {
    const added = median(path[v.name]) - base;
    console.log(
      `${v.name.padEnd(7)} +${added.toFixed(2)} µs CPU/request   ratio ${(median(off.cpu) / (median(off.cpu) + added)).toFixed(3)}x against off's ${median(off.cpu).toFixed(1)} µs`,
    );
  }
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  sink.close();
}
