#!/usr/bin/env node
// Time to all-healthy for bench/startup/stack.yaml: orch vs docker-compose, side by side,
// alternating runs on the same engine, median of each. orch's time is when `up -d --wait`
// returned (every service healthy by orch's verdict, and handed to its supervisor); compose has
// no verdict of its own, so its time is when the engine first reports all ten healthy (polled
// every 50 ms). Also prints, for orch, when the engine itself reports all healthy, and each
// tool's overhead above the critical path (the services' own start→READY times along the
// slowest chain, from the engine's timestamps).
import { join } from 'node:path';
import {
  containers,
  criticalPathMs,
  dockerAllHealthy,
  down,
  median,
  range,
  readiness,
  repo,
  up,
} from './lib.mjs';

const file = join(repo, 'bench/startup/stack.yaml');
const runs = Number(process.env.RUNS ?? 3);
const deps = {
  s3: ['s0'],
  s4: ['s1', 's2'],
  s5: ['s2'],
  s6: ['s3', 's4'],
  s7: ['s5'],
  s8: ['s6'],
  s9: ['s6', 's7'],
};

async function once(tool, i) {
  const project = `bench-${tool}-${process.pid}-${i}`;
  const t0 = Date.now();
  try {
    up(tool, file, project);
    const returned = Date.now() - t0;
    const engine = await dockerAllHealthy(tool, project, 10, t0);
    const crit = criticalPathMs(readiness(containers(tool, project)), deps);
    const ms = tool === 'orch' ? returned : engine;
    return { ms, engine, crit, overhead: ms - crit };
  } finally {
    down(tool, file, project);
  }
}

const results = { orch: [], compose: [] };
for (let i = 0; i < runs; i++) {
  for (const tool of i % 2 === 0 ? ['orch', 'compose'] : ['compose', 'orch']) {
    const r = await once(tool, i);
    results[tool].push(r);
    console.log(
      `run ${i + 1} ${tool.padEnd(7)} all healthy in ${r.ms} ms` +
        (tool === 'orch' ? ` (engine says so at ${r.engine} ms)` : '') +
        `; critical path ${r.crit} ms, overhead ${r.overhead} ms (${((100 * r.overhead) / r.crit).toFixed(0)}%)`,
    );
  }
}
const pick = (tool, k) => results[tool].map((r) => r[k]);
const o = median(pick('orch', 'ms'));
const c = median(pick('compose', 'ms'));
const oo = median(pick('orch', 'overhead'));
const oc = median(pick('orch', 'crit'));
console.log(
  `\nmedian time to all healthy: orch ${o} ms (${range(pick('orch', 'ms'))}), docker-compose ${c} ms (${range(pick('compose', 'ms'))})`,
);
console.log(`ratio orch/docker-compose: ${(o / c).toFixed(2)}x (target <= 0.6x; lower is faster)`);
console.log(
  `orch: engine reports all healthy at median ${median(pick('orch', 'engine'))} ms (its own first check comes one interval after orch's)`,
);
console.log(
  `median overhead above the critical path: orch ${oo} ms of ${oc} ms = ${((100 * oo) / oc).toFixed(0)}% (target <= 10%), docker-compose ${median(pick('compose', 'overhead'))} ms of ${median(pick('compose', 'crit'))} ms`,
);
