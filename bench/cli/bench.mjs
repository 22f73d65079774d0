#!/usr/bin/env node
// Median wall time of `orch --version`, `orch ps` (a running one-service project, supervisor up)
// and `orch logs --tail 5` beside `docker ps`, `docker logs --tail 5` and `node -e 0`, run
// interleaved so the machine's load falls on all alike. Prints medians, min–max and the ratios.
// Run through run.sh (which unsets NODE_EXTRA_CA_CERTS). The first runs (the warm-up) make the
// fast path's code cache, as a user's first `orch ps` does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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

const loadNow = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const load0 = loadNow();
const nodeCases = {
  'orch --version': [orch, '--version'],
  'orch ps': [orch, 'ps'],
  'orch logs --tail 5': [orch, 'logs', '--tail', '5'],
  'node -e 0': ['-e', '0'],
};
const cases = {
  'orch --version': () => run(process.execPath, [orch, '--version']),
  'orch ps': () => run(process.execPath, [orch, 'ps']),
  'docker ps': () => run('docker', ['ps']),
  'orch logs --tail 5': () => run(process.execPath, [orch, 'logs', '--tail', '5']),
  'docker logs --tail 5': () => run('docker', ['logs', '--tail', '5', `${project}-web-1`]),
  // Node's own start-up: the floor under every orch command (bin/run.js is CommonJS).
  'node -e 0': () => run(process.execPath, ['-e', '0']),
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
  const n = med(times['node -e 0']);
  console.log(
    `\norch ps / docker ps: ${(med(times['orch ps']) / d).toFixed(2)}x; orch --version / docker ps: ${(med(times['orch --version']) / d).toFixed(2)}x; orch logs --tail 5 / docker logs --tail 5: ${(med(times['orch logs --tail 5']) / med(times['docker logs --tail 5'])).toFixed(2)}x`,
  );
  console.log(
    `above Node's own start-up (node -e 0, ${fmt(n)} ms): orch ps +${fmt(med(times['orch ps']) - n)} ms, orch --version +${fmt(med(times['orch --version']) - n)} ms`,
  );
  console.log(`load average: ${load0} at the start, ${loadNow()} at the end`);
  console.log('targets: orch ps <= 60 ms, orch --version <= 50 ms');
  // Instructions retired do not depend on the machine's load as wall time does (INSTRUCTIONS=1,
  // needs valgrind; ~5 s a run): the steadier figure on a shared machine.
  if (process.env.INSTRUCTIONS) {
    for (const [k, args] of Object.entries(nodeCases)) {
      const r = spawnSync(
        'valgrind',
        ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...args],
        {
          cwd: dir,
          env,
          encoding: 'utf8',
        },
      );
      const n = /Collected : (\d+)/.exec(r.stderr)?.[1];
      console.log(
        `${k.padEnd(20)} ${n ? `${(Number(n) / 1e6).toFixed(0)} M instructions` : 'valgrind failed'}`,
      );
    }
  }
} finally {
  spawnSync(process.execPath, [orch, 'down', '-t', '0'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
}
