import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessRuntime, processesDir } from '../../src/adapters/process/index.js';
import { processGroups } from '../../src/adapters/process/stats.js';
import { cpuPercent } from '../../src/core/stats/sampler.js';
import type { Project } from '../../src/model/project.js';
import { loadProject, memoryFs } from '../../src/project/index.js';
import { until } from '../procs.js';

/** Stats of host processes read from the real /proc, through the process runtime. */

let dir: string;
let runtimes: ProcessRuntime[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-pstats-'));
  runtimes = [];
});

afterEach(async () => {
  const rt = runtime();
  for (const name of readdirSafe(join(dir, '.orch')))
    for (const r of await rt.list(name)) await rt.remove(r.id, { graceMs: 0 });
  for (const r of runtimes) r.close();
  rmSync(dir, { recursive: true, force: true });
});

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function runtime(): ProcessRuntime {
  const rt = new ProcessRuntime({ dirOf: (name) => processesDir(dir, name), pollMs: 50 });
  runtimes.push(rt);
  return rt;
}

/** Starts replica 1 of the one service `svc` of a project running `command` (YAML flow). */
async function start(rt: ProcessRuntime, name: string, command: string): Promise<string> {
  const file = join(dir, 'orch.yaml');
  const yaml = `name: ${name}\nservices:\n  svc:\n    x-orch:\n      process: { command: ${command} }\n`;
  writeFileSync(file, yaml);
  const { project } = await loadProject(
    { cwd: dir, files: [file], env: { PATH: process.env['PATH'] ?? '' } },
    memoryFs({ [file]: yaml }),
  );
  const p: Project = project;
  const snap = await rt.create(p, p.services['svc']!, 1);
  await rt.start(snap.id);
  return snap.id;
}

/**
 * Burns the CPU seconds it is given as the process itself measures them (getrusage), then writes
 * `done.<pid>` and exits (0: burns for ever); writes its own CPU total (µs) to `cpu.<pid>` every
 * 20 ms meanwhile. Holds 30 MB of touched memory.
 */
const BURN = `const fs = require('node:fs');
const want = Number(process.argv[2]) * 1e6;
const ballast = Buffer.alloc(30 * 1024 * 1024, 1);
const used = () => { const u = process.cpuUsage(); return u.user + u.system; };
let last = 0;
for (let u = used(); want <= 0 || u < want; u = used()) {
  const now = Date.now();
  if (now - last >= 20) { ballast[now % ballast.length] = 2; fs.writeFileSync('tmp.' + process.pid, String(u)); fs.renameSync('tmp.' + process.pid, 'cpu.' + process.pid); last = now; }
}
fs.writeFileSync('done.' + process.pid, String(used()));
`;

describe('host-process stats from /proc (real processes)', () => {
  it('a busy Node process: CPU over a second agrees with its own getrusage, RSS over 10 MB, the shim left out', async () => {
    writeFileSync(join(dir, 'burn.js'), BURN);
    const rt = runtime();
    // Exec form: the shim runs node directly, so the group is the shim and node.
    const id = await start(rt, 'busy', '[node, burn.js, "0"]');
    const pid = await until('the busy process reports', () =>
      readdirSync(dir)
        .find((f) => f.startsWith('cpu.'))
        ?.slice(4),
    );
    const own = (): number => Number(readFileSync(join(dir, `cpu.${pid}`), 'utf8')) * 1000;

    // A first read spawns getconf once: not inside the measured window.
    await rt.stats(id);
    // Its own figure before and after each read brackets the CPU it had when /proc was read.
    const t0 = Date.now();
    const ownBeforeA = own();
    const a = await rt.stats(id);
    const ownAfterA = own();
    await new Promise((r) => setTimeout(r, 1200));
    const ownBeforeB = own();
    const b = await rt.stats(id);
    const ownAfterB = own();
    const wallMs = Date.now() - t0;

    expect(b.pids).toBe(1);
    expect(b.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(b.memoryLimitBytes).toBeGreaterThan(b.memoryBytes);
    expect(b.rxBytes).toBeUndefined();
    expect(b.txBytes).toBeUndefined();
    const read = b.cpuTotalNs - a.cpuTotalNs;
    // Slack: its figure lags its CPU by up to 20 ms (written every 20 ms), /proc counts 10 ms ticks.
    const slack = 20e6 + 40e6;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeGreaterThanOrEqual(ownBeforeB - ownAfterA - slack);
    expect(read).toBeLessThanOrEqual(ownAfterB - ownBeforeA + slack);
    // As the sampler reports it (a share of one CPU: a busy loop fills one unless the machine is
    // loaded), over a wall time that spans both reads, so never more than its share.
    const pct = cpuPercent(a, b, wallMs);
    expect(pct).toBeGreaterThan(0);
    expect(pct).toBeLessThanOrEqual(150);
  }, 60_000);

  it('counts CPU of children that ended (waited for by a member), summed over the group', async () => {
    writeFileSync(join(dir, 'burn.js'), BURN);
    const rt = runtime();
    const id = await start(
      rt,
      'kids',
      JSON.stringify('node burn.js 0.6 & node burn.js 0.6; wait; touch all-done; sleep 600'),
    );
    await until('both children done', () => readdirSafe(dir).includes('all-done'), 60_000, 50);
    const burnt = readdirSync(dir)
      .filter((f) => f.startsWith('done.'))
      .map((f) => Number(readFileSync(join(dir, f), 'utf8')) * 1000)
      .reduce((x, y) => x + y, 0);
    const s = await rt.stats(id);
    // The sh and its sleep are left; the two nodes' CPU is in sh's cutime/cstime now.
    expect(s.pids).toBe(2);
    expect(burnt).toBeGreaterThanOrEqual(1.2e9);
    expect(s.cpuTotalNs).toBeGreaterThanOrEqual(burnt - 20e6);
    // Beyond the children's own: sh and sleep, a few ticks.
    expect(s.cpuTotalNs).toBeLessThan(burnt + 0.5e9);
  }, 90_000);

  it('processes starting and exiting during the scan never make a read fail', async () => {
    const rt = runtime();
    // A shell that forks short-lived children without pause: members appear and vanish mid-scan.
    const id = await start(rt, 'churn', JSON.stringify('while :; do /bin/true; done'));
    // The shim (a Node process) starts the shell a moment after it runs itself.
    await until('the shell runs', async () => ((await rt.stats(id)).pids ?? 0) >= 1);
    const reads = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 10));
        return rt.stats(id);
      }),
    );
    for (const s of reads) {
      expect(s.pids).toBeGreaterThanOrEqual(1);
      expect(s.cpuTotalNs).toBeGreaterThanOrEqual(0);
    }
    expect((await processGroups()).size).toBeGreaterThan(1);
  });

  it('a replica that is not running rejects, as a stopped container does', async () => {
    const rt = runtime();
    const id = await start(rt, 'gone', '[sleep, "30"]');
    await rt.stop(id, 0);
    await expect(rt.stats(id)).rejects.toThrow(/not running/);
  });
});
