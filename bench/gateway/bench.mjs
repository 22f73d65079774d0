// Gateway vs nginx (one worker) over the same 3 loopback upstreams, measured with wrk.
// Run `npm run build` first; then `bash bench/gateway/run.sh` (or `node bench/gateway/bench.mjs`).
// Env: DURATION (s, default 10), CONNECTIONS (50), THREADS (2), ROUNDS (2), WARMUP (s, 3).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { children, forkReady, freePort, settings } from './lib.mjs';

const run = promisify(execFile);
const { DURATION, CONNECTIONS, THREADS, ROUNDS, WARMUP } = settings(2);

let tmp;

async function waitForPort(port, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/`]);
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function startNginx(port, upstreams) {
  tmp = mkdtempSync(join(tmpdir(), 'orch-bench-nginx-'));
  chmodSync(tmp, 0o755);
  const conf = `worker_processes 1;
daemon off;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
  upstream hello {
${upstreams.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://hello;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  writeFileSync(join(tmp, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', tmp, '-e', join(tmp, 'error.log'), '-c', join(tmp, 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  await waitForPort(port);
}

function toMs(v, unit) {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

async function wrk(port, seconds) {
  const { stdout } = await run('wrk', [
    `-t${THREADS}`,
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    `http://127.0.0.1:${port}/`,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0';
  const sock = /Socket errors:.*/.exec(stdout)?.[0] ?? '';
  return {
    rps,
    p50: p50 ? toMs(p50[1], p50[2]) : NaN,
    p99: p99 ? toMs(p99[1], p99[2]) : NaN,
    non2xx: Number(errors),
    sock,
  };
}

function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  const upstreamPorts = [await freePort(), await freePort(), await freePort()];
  for (const p of upstreamPorts) await forkReady('upstream.mjs', [p]);
  const gwPort = await freePort();
  const gateway = await forkReady('gateway.mjs', [gwPort, ...upstreamPorts]);
  const ngPort = await freePort();
  await startNginx(ngPort, upstreamPorts);

  console.log(
    `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s --latency, ${ROUNDS} rounds, alternating; 3 upstreams`,
  );
  await wrk(gwPort, WARMUP);
  await wrk(ngPort, WARMUP);
  const res = { gateway: [], nginx: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, port] of [
      ['gateway', gwPort],
      ['nginx', ngPort],
    ]) {
      const m = await wrk(port, DURATION);
      res[name].push(m);
      console.log(
        `round ${r + 1} ${name.padEnd(7)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms` +
          (m.non2xx ? `  non-2xx ${m.non2xx}` : '') +
          (m.sock ? `  ${m.sock}` : ''),
      );
    }
  }
  const avg = (xs, k) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
  const g = { rps: avg(res.gateway, 'rps'), p99: avg(res.gateway, 'p99') };
  const n = { rps: avg(res.nginx, 'rps'), p99: avg(res.nginx, 'p99') };
  console.log('');
  console.log(`gateway  ${g.rps.toFixed(0)} req/s  p99 ${g.p99.toFixed(2)} ms   (mean of ${ROUNDS})`);
  console.log(`nginx    ${n.rps.toFixed(0)} req/s  p99 ${n.p99.toFixed(2)} ms   (1 worker, keepalive 32)`);
  console.log(
    `ratio    throughput ${(g.rps / n.rps).toFixed(2)}x   p99 ${(g.p99 / n.p99).toFixed(2)}x   (target >= 0.75x, <= 1.5x)`,
  );

  const summary = new Promise((resolve) => gateway.once('message', resolve));
  gateway.kill('SIGTERM');
  const s = await Promise.race([summary, new Promise((r) => setTimeout(() => r(undefined), 3000))]);
  if (s) {
    const route = s.stats.routes[0];
    const per = route.replicas.map((x) => `${x.replica}=${x.requests}`).join(' ');
    console.log(`gateway  access lines ${s.lines}, errors ${route.errors}, per replica ${per}`);
  }
} finally {
  cleanup();
}
