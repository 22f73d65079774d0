// Gateway throughput with metrics and tracing on (OTLP to a local sink) against off, over the
// same 3 loopback upstreams, measured with wrk; prints the ratio (goal: on costs at most 5%).
// Run `npm run build` first; then `bash bench/gateway/run.sh telemetry`.
// Env: DURATION (s, default 10), CONNECTIONS (50), THREADS (2), ROUNDS (3), WARMUP (s, 3).
import { execFile, fork } from 'node:child_process';
import { createServer as httpServer } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const env = (k, d) => Number(process.env[k] ?? d);
const DURATION = env('DURATION', 10);
const CONNECTIONS = env('CONNECTIONS', 50);
const THREADS = env('THREADS', 2);
const ROUNDS = env('ROUNDS', 3);
const WARMUP = env('WARMUP', 3);
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function forkReady(script, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, script), args.map(String), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...extraEnv },
    });
    children.push(child);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
    child.once('message', () => resolve(child));
  });
}

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
  const offPort = await freePort();
  const offGw = await forkReady('gateway.mjs', [offPort, ...upstreams]);
  const onPort = await freePort();
  const onGw = await forkReady('gateway.mjs', [onPort, ...upstreams], { OTLP_SINK: sinkUrl });
  const cpu = (child) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });

  console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, alternating; 3 upstreams`);
  await wrk(offPort, WARMUP);
  await wrk(onPort, WARMUP);
  const res = { off: [], on: [] };
  const perReq = { off: [], on: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so a drift of the machine's load falls on both alike.
    const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const name of order) {
      const gw = name === 'off' ? offGw : onGw;
      const before = await cpu(gw);
      const rps = await wrk(name === 'off' ? offPort : onPort, DURATION);
      // The spans of this round leave in the next second: the on side's CPU includes their export.
      await new Promise((r) => setTimeout(r, 1500));
      const after = await cpu(gw);
      const us = (after.cpuUs - before.cpuUs) / (after.lines - before.lines);
      res[name].push(rps);
      perReq[name].push(us);
      console.log(
        `round ${r + 1} ${name.padEnd(3)} ${rps.toFixed(0).padStart(7)} req/s  ${us.toFixed(1)} µs CPU/request`,
      );
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const off = mean(res.off);
  const on = mean(res.on);
  // Let the last batch leave before counting what the sink got.
  await new Promise((r) => setTimeout(r, 2500));
  console.log('');
  const offCpu = mean(perReq.off);
  const onCpu = mean(perReq.on);
  console.log(`off  ${off.toFixed(0)} req/s  ${offCpu.toFixed(1)} µs CPU/request`);
  console.log(
    `on   ${on.toFixed(0)} req/s  ${onCpu.toFixed(1)} µs CPU/request  (metrics scraped every 1 s, ${spans} spans in ${exports} OTLP exports)`,
  );
  console.log(`ratio on/off throughput ${(on / off).toFixed(3)}x   (goal >= 0.95x)`);
  // The gateway is bound by one core: its throughput ceiling is 1 / (CPU per request), a figure
  // that holds steadier than req/s while other work shares the machine.
  console.log(`ratio off/on CPU per request ${(offCpu / onCpu).toFixed(3)}x   (the same goal)`);
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  sink.close();
}
