#!/usr/bin/env node
// Watch latency: time from saving a file to the new version being served through the gateway,
// for a `sync` rule (static file copied into both replicas) and a `rebuild` rule (image rebuilt,
// replicas rolled one at a time). Median of RUNS saves each.
// No peer is measured: Debian's docker-compose (1.29) has no `watch`; compose v2's `docker compose
// watch` is the peer to compare with where it is installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repo, 'bin/run.js');
const runs = Number(process.env.RUNS ?? 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const orch = (args, cwd) =>
  spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

const dir = mkdtempSync(join(tmpdir(), 'orch-bench-watch-'));
const name = `bench-watch-${process.pid}`;
mkdirSync(join(dir, 'public'));
const server = (v) => `const fs = require('node:fs');
require('node:http').createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  if (q.url === '/version') return r.end('${v}');
  r.end(fs.readFileSync('/app/public/index.html'));
}).listen(3000);
process.on('SIGTERM', () => process.exit(0));`;
writeFileSync(join(dir, 'server.js'), server('v0'));
writeFileSync(join(dir, 'public/index.html'), 'page-0');
writeFileSync(
  join(dir, 'Dockerfile'),
  'FROM node:20-slim\nWORKDIR /app\nCOPY server.js ./\nCOPY public ./public\nCMD ["node", "server.js"]\n',
);
writeFileSync(
  join(dir, 'orch.yaml'),
  `name: ${name}
services:
  web:
    build: .
    deploy: { replicas: 2 }
    x-orch:
      probe: { http: { path: /health, port: 3000 }, interval: 200ms }
    develop:
      watch:
        - { action: sync, path: ./public, target: /app/public }
        - { action: rebuild, path: ./server.js }
x-orch:
  gateway: { routes: [ { path: /, service: web, port: 3000 } ] }
`,
);

/** ms until `n` consecutive answers all equal `want` (both replicas, through round-robin). */
async function until(url, want, n = 4) {
  const t0 = performance.now();
  let streak = 0;
  while (performance.now() - t0 < 60_000) {
    const body = await fetch(url).then(
      (r) => r.text(),
      () => '',
    );
    streak = body === want ? streak + 1 : 0;
    if (streak >= n) return performance.now() - t0;
    await sleep(10);
  }
  throw new Error(`never served ${want}`);
}

try {
  const up = orch(['up', '-d', '--wait', '--watch', '--gateway-port', '0'], dir);
  if (up.status !== 0) throw new Error(up.stderr);
  const base = /gateway: (http:\/\/[^/]+)\//.exec(up.stderr)[1];
  await sleep(1500); // the watcher's initial scan
  const sync = [];
  const rebuild = [];
  for (let i = 1; i <= runs; i++) {
    writeFileSync(join(dir, 'public/index.html'), `page-${i}`);
    sync.push(await until(`${base}/`, `page-${i}`));
    await sleep(500);
  }
  for (let i = 1; i <= Math.min(runs, 3); i++) {
    writeFileSync(join(dir, 'server.js'), server(`v${i}`));
    rebuild.push(await until(`${base}/version`, `v${i}`));
    await sleep(1500);
  }
  console.log(
    `sync:    save → served by both replicas, median ${median(sync).toFixed(0)} ms (${sync.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `rebuild: save → served by both replicas, median ${median(rebuild).toFixed(0)} ms (${rebuild.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    '(includes the 200ms debounce; the rebuild figure includes the image build and a rolling replacement of 2 replicas)',
  );
} finally {
  orch(['down', '-t', '0', '-v'], dir);
}
