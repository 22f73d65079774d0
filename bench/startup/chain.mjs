#!/usr/bin/env node
// The 7-container chain of bench/startup/chain.yaml, orch and docker-compose side by side
// (RUNS=N alternating rounds, default 3): how long after c6 logged READY web was started (the
// engine's StartedAt), and the same for every link. That figure includes Docker's own `start`
// of a created container, which is measured here too, so orch's part can be read off.
import { join } from 'node:path';
import { containers, down, median, range, readiness, repo, serviceOf, sh, up } from './lib.mjs';

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

/**
 * When the engine attached each container to its network (ms), from its event stream: the first
 * step of Docker's own `start`, so the time from a dependency's READY to its dependent's attach
 * is the tool's part (noticing READY and asking for the start), and attach → StartedAt Docker's.
 */
function networkAttach(sinceS) {
  const out = {};
  const r = sh('docker', [
    'events',
    '--since',
    String(sinceS),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    'type=network',
    '--filter',
    'event=connect',
    '--format',
    '{{json .}}',
  ]);
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const ev = JSON.parse(line);
    out[ev.Actor.Attributes.container] ??= ev.timeNano / 1e6;
  }
  return out;
}

async function once(tool, i) {
  const project = `bench-chain-${tool}-${process.pid}-${i}`;
  const sinceS = Math.floor(Date.now() / 1000) - 1;
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
    const attach = networkAttach(sinceS);
    const webId = containers(tool, project).find((c) => serviceOf(c) === 'web')?.Id ?? '';
    const asked = Math.round((attach[webId] ?? Number.NaN) - t.c6.ready);
    return {
      web: links.at(-1),
      asked,
      docker: links.at(-1) - asked,
      links,
      total: t.web.started - t.c1.started,
    };
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
      `run ${i + 1} ${tool.padEnd(7)} web started ${r.web} ms after c6 logged READY (engine attached it to its network at ${r.asked} ms, then Docker's start took ${r.docker} ms); links ${r.links.join(' ')} ms; c1 start → web start ${r.total} ms`,
    );
  }
}
const web = (tool) => results[tool].map((r) => r.web);
const total = (tool) => results[tool].map((r) => r.total);
const asked = (tool) => results[tool].map((r) => r.asked);
const dockers = (tool) => results[tool].map((r) => r.docker);
console.log(
  `\nweb started after c6 logged READY (median, min–max): orch ${median(web('orch'))} ms (${range(web('orch'))}), docker-compose ${median(web('compose'))} ms (${range(web('compose'))}); target <= 300 ms`,
);
console.log(
  `of which the tool's part, c6 READY → web attached to its network (the start under way): orch ${median(asked('orch'))} ms (${range(asked('orch'))}), docker-compose ${median(asked('compose'))} ms (${range(asked('compose'))}); the rest, attach → StartedAt, is Docker's own start: ${median(dockers('orch'))} ms / ${median(dockers('compose'))} ms`,
);
console.log(
  `Docker's own start of a created container (call → StartedAt) on this machine now: median ${median(startLatency)} ms (${range(startLatency)}); it is part of both figures`,
);
console.log(
  `c1 start → web start: orch ${median(total('orch'))} ms, docker-compose ${median(total('compose'))} ms: ${(median(total('orch')) / median(total('compose'))).toFixed(2)}x`,
);
