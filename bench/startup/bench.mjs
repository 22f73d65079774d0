#!/usr/bin/env node
// Time to all-healthy for bench/startup/stack.yaml: orch vs docker-compose, side by side,
// alternating runs on the same engine, median of each. Prints the ratio and the overhead above
// the critical path (the health waits along the longest chain, read from Docker's own timestamps).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const file = join(here, 'stack.yaml');
const runs = Number(process.env.RUNS ?? 3);
const services = Array.from({ length: 10 }, (_, i) => `s${i}`);
const deps = {
  s3: ['s0'],
  s4: ['s1', 's2'],
  s5: ['s2'],
  s6: ['s3', 's4'],
  s7: ['s5'],
  s8: ['s6'],
  s9: ['s6', 's7'],
};

const sh = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

function containerIds(project, tool) {
  const label = tool === 'orch' ? `dev.orch.project=${project}` : `com.docker.compose.project=${project}`;
  return sh('docker', ['ps', '-aq', '--filter', `label=${label}`])
    .stdout.split('\n')
    .filter(Boolean);
}

function inspectAll(ids) {
  return JSON.parse(sh('docker', ['inspect', ...ids]).stdout);
}

function serviceOf(c) {
  return c.Config.Labels['dev.orch.service'] ?? c.Config.Labels['com.docker.compose.service'];
}

async function waitAllHealthy(project, tool, t0) {
  for (;;) {
    const ids = containerIds(project, tool);
    if (ids.length === 10) {
      const cs = inspectAll(ids);
      if (cs.every((c) => c.State.Health?.Status === 'healthy')) return { ms: Date.now() - t0, cs };
    }
    if (Date.now() - t0 > 120_000) throw new Error(`${tool}: not healthy after 120s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records container start and health events live (the engine's history buffer is too small). */
function recordEvents() {
  const child = spawn('docker', [
    'events',
    '--filter',
    'type=container',
    '--filter',
    'event=start',
    '--filter',
    'event=health_status',
    '--format',
    '{{json .}}',
  ]);
  let buf = '';
  child.stdout.on('data', (d) => (buf += d));
  return async () => {
    await new Promise((r) => setTimeout(r, 200));
    child.kill();
    return buf
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  };
}

/** Sum, along the slowest chain, of each service's own start→healthy time (engine timestamps). */
function criticalPathMs(cs, events) {
  const names = Object.fromEntries(cs.map((c) => [c.Id, serviceOf(c)]));
  const started = {};
  const healthy = {};
  for (const ev of events) {
    const svc = names[ev.id];
    if (!svc) continue;
    const t = ev.timeNano / 1e6;
    if (ev.status === 'start') started[svc] ??= t;
    if (ev.status === 'health_status: healthy') healthy[svc] ??= t;
  }
  const own = Object.fromEntries(services.map((s) => [s, healthy[s] - started[s]]));
  const memo = {};
  const longest = (s) => (memo[s] ??= own[s] + Math.max(0, ...(deps[s] ?? []).map(longest)));
  return Math.max(...services.map(longest));
}

async function once(tool, i) {
  const project = `bench-${tool}-${process.pid}-${i}`;
  const stopEvents = recordEvents();
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const r =
    tool === 'orch'
      ? sh(process.execPath, [join(repo, 'bin/run.js'), 'up', '-d', '--wait', '-f', file, '-p', project])
      : sh('docker-compose', ['-f', file, '-p', project, 'up', '-d']);
  if (r.status !== 0) throw new Error(`${tool} up failed: ${r.stderr}`);
  const { ms, cs } = await waitAllHealthy(project, tool, t0);
  const crit = criticalPathMs(cs, await stopEvents());
  if (tool === 'orch')
    sh(process.execPath, [join(repo, 'bin/run.js'), 'down', '-t', '0', '-f', file, '-p', project]);
  else sh('docker-compose', ['-f', file, '-p', project, 'down', '-t', '0']);
  return { ms, overhead: ms - crit };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { orch: [], compose: [] };
for (let i = 0; i < runs; i++) {
  for (const tool of i % 2 === 0 ? ['orch', 'compose'] : ['compose', 'orch']) {
    const r = await once(tool, i);
    results[tool].push(r);
    console.log(
      `run ${i + 1} ${tool.padEnd(7)} all healthy in ${r.ms} ms (overhead above critical path ${r.overhead} ms)`,
    );
  }
}
const o = median(results.orch.map((r) => r.ms));
const c = median(results.compose.map((r) => r.ms));
console.log(`\nmedian time to all healthy: orch ${o} ms, docker-compose ${c} ms`);
console.log(`ratio orch/docker-compose: ${(o / c).toFixed(2)}x (lower is faster)`);
console.log(
  `median overhead above the critical path: orch ${median(results.orch.map((r) => r.overhead))} ms, docker-compose ${median(results.compose.map((r) => r.overhead))} ms`,
);
