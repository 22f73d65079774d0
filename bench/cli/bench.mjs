#!/usr/bin/env node
// Median wall time of `orch --version`, `orch ps` (a running one-service project, supervisor up)
// and `orch logs --tail 5` beside `docker ps` and `docker logs --tail 5`, run interleaved so the
// machine's load falls on all alike. Prints medians, min–max and the ratios. Run through run.sh
// (which unsets NODE_EXTRA_CA_CERTS).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const orch = join(repo, 'bin/run.js');
const runs = Number(process.env.RUNS ?? 21);
const dir = mkdtempSync(join(tmpdir(), 'orch-bench-cli-'));
const project = `bench-cli-${process.pid}`;
writeFileSync(
  join(dir, 'orch.yaml'),
  `name: ${project}\nservices:\n  web:\n    image: busybox:latest\n    command: ["sh", "-c", "seq 1 20; exec sleep 3600"]\n    stop_signal: SIGKILL\n`,
);
writeFileSync(join(dir, 'empty.mjs'), '');
const env = { ...process.env, NO_COLOR: '1' };
if (process.env.NODE_EXTRA_CA_CERTS)
  console.log('note: NODE_EXTRA_CA_CERTS is set; run through run.sh to exclude it');

const run = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return ms;
};

const cases = {
  'orch --version': () => run(process.execPath, [orch, '--version']),
  'orch ps': () => run(process.execPath, [orch, 'ps']),
  'docker ps': () => run('docker', ['ps']),
  'orch logs --tail 5': () => run(process.execPath, [orch, 'logs', '--tail', '5']),
  'docker logs --tail 5': () => run('docker', ['logs', '--tail', '5', `${project}-web-1`]),
  'node -e 0': () => run(process.execPath, ['-e', '0']),
  // orch is an ES module: Node's own ESM start-up is the floor under both orch commands.
  'node empty.mjs': () => run(process.execPath, [join(dir, 'empty.mjs')]),
};
try {
  run(process.execPath, [orch, 'up', '-d', '--no-gateway']);
  // The first ps after up loads nothing new; warm the page cache for every command alike.
  for (const f of Object.values(cases)) f();
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, f] of Object.entries(cases)) times[k].push(f());
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (x) => x.toFixed(0);
  for (const [k, xs] of Object.entries(times))
    console.log(
      `${k.padEnd(20)} median ${fmt(med(xs))} ms (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}), ${runs} runs`,
    );
  const d = med(times['docker ps']);
  const n = med(times['node empty.mjs']);
  console.log(
    `\norch ps / docker ps: ${(med(times['orch ps']) / d).toFixed(2)}x; orch --version / docker ps: ${(med(times['orch --version']) / d).toFixed(2)}x; orch logs --tail 5 / docker logs --tail 5: ${(med(times['orch logs --tail 5']) / med(times['docker logs --tail 5'])).toFixed(2)}x`,
  );
  console.log(
    `above Node's own ESM start-up (node empty.mjs, ${fmt(n)} ms): orch ps +${fmt(med(times['orch ps']) - n)} ms, orch --version +${fmt(med(times['orch --version']) - n)} ms`,
  );
  console.log('targets on an idle machine: orch ps <= 60 ms, orch --version <= 50 ms');
} finally {
  spawnSync(process.execPath, [orch, 'down', '-t', '0'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
}
