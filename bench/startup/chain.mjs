#!/usr/bin/env node
// The 7-container chain of bench/startup/chain.yaml, orch and docker-compose side by side
// (RUNS=N alternating rounds, default 3): how long after c6 logged READY web was started (the
// engine's StartedAt), and the same for every link. That figure includes Docker's own `start`
// of a created container, which is measured here too, so orch's part can be read off.
import { join } from 'node:path';
import { containers, down, median, range, readiness, repo, sh, up } from './lib.mjs';

const file = join(repo, 'bench/startup/chain.yaml');
const runs = Number(process.env.RUNS ?? 3);
const chain = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'web'];

/** Docker's own latency from `start` to StartedAt for a created busybox container (ms). */
function dockerStartLatency(tag) {
  const name = `bench-start-${process.pid}-${tag}`;
  sh('docker', [
    'create',
    '--name',
    name,
    '--label',
    `dev.orch.project=${name}`,
    'busybox:latest',
    'sleep',
    '60',
  ]);
  const t0 = Date.now();
  sh('docker', ['start', name]);
  const started = Date.parse(JSON.parse(sh('docker', ['inspect', name]).stdout)[0].State.StartedAt);
  sh('docker', ['rm', '-f', name]);
  return started - t0;
}

async function once(tool, i) {
  const project = `bench-chain-${tool}-${process.pid}-${i}`;
  try {
    up(tool, file, project);
    // compose returns once web is started; wait for it to log READY too (it does at once).
    let t;
    for (let k = 0; k < 100; k++) {
      t = readiness(containers(tool, project));
      if (chain.every((s) => Number.isFinite(t[s]?.ready))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const links = chain.slice(1).map((s, j) => t[s].started - t[chain[j]].ready);
    return { web: links.at(-1), links, total: t.web.started - t.c1.started };
  } finally {
    down(tool, file, project);
  }
}

const results = { orch: [], compose: [] };
const startLatency = [];
for (let i = 0; i < runs; i++) {
  startLatency.push(dockerStartLatency(i));
  for (const tool of i % 2 === 0 ? ['orch', 'compose'] : ['compose', 'orch']) {
    const r = await once(tool, i);
    results[tool].push(r);
    console.log(
      `run ${i + 1} ${tool.padEnd(7)} web started ${r.web} ms after c6 logged READY; links ${r.links.join(' ')} ms; c1 start → web start ${r.total} ms`,
    );
  }
}
const web = (tool) => results[tool].map((r) => r.web);
const total = (tool) => results[tool].map((r) => r.total);
console.log(
  `\nweb started after c6 logged READY (median, min–max): orch ${median(web('orch'))} ms (${range(web('orch'))}), docker-compose ${median(web('compose'))} ms (${range(web('compose'))}); target <= 300 ms`,
);
console.log(
  `Docker's own start of a created container (call → StartedAt) on this machine now: median ${median(startLatency)} ms (${range(startLatency)}); it is part of both figures`,
);
console.log(
  `c1 start → web start: orch ${median(total('orch'))} ms, docker-compose ${median(total('compose'))} ms: ${(median(total('orch')) / median(total('compose'))).toFixed(2)}x`,
);
