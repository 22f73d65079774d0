import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStat } from '../../../src/adapters/process/proc.js';
import { groupUsage, scanProc, type HostUnits } from '../../../src/adapters/process/stats.js';

/**
 * A /proc/<pid>/stat line as Linux 6.x writes it (52 fields), with the fields the reader uses
 * set: comm (2), state (3), pgrp (5), utime..cstime (14–17), starttime (22), rss (24).
 */
function statLine(f: {
  pid: number;
  comm: string;
  state?: string;
  pgrp: number;
  utime?: number;
  stime?: number;
  cutime?: number;
  cstime?: number;
  start?: number;
  rss?: number;
}): string {
  const fields3to13 = [f.state ?? 'S', 1, f.pgrp, f.pgrp, 0, -1, 4194304, 98, 0, 0, 0];
  const cpu14to17 = [f.utime ?? 0, f.stime ?? 0, f.cutime ?? 0, f.cstime ?? 0];
  const fields18to24 = [20, 0, 1, 0, f.start ?? 54873, 3133440, f.rss ?? 0];
  const fields25to52 = Array.from({ length: 28 }, () => 0);
  const rest = [...fields3to13, ...cpu14to17, ...fields18to24, ...fields25to52];
  return `${f.pid} (${f.comm}) ${rest.join(' ')}\n`;
}

const HOST: HostUnits = { ticksPerSecond: 100, pageBytes: 4096, memoryBytes: 8 * 2 ** 30, cpus: 2 };

describe('parseStat (/proc/<pid>/stat)', () => {
  it('reads the fields of a real line', () => {
    // As the kernel wrote it for `cat /proc/self/stat`.
    const real =
      '22003 (cat) R 22000 22000 7191 0 -1 4194304 98 0 0 0 3 1 7 2 20 0 1 0 54873 3133440 416 18446744073709551615 93979062677504 93979062697385 140737267712576 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 93979062713392 93979062715008 93979991592960 140737267714572 140737267714592 140737267714592 140737267716075 0\n';
    expect(parseStat(real)).toEqual({
      pid: 22003,
      state: 'R',
      pgid: 22000,
      utime: 3,
      stime: 1,
      cutime: 7,
      cstime: 2,
      startTime: '54873',
      rssPages: 416,
    });
  });

  it('counts fields from the last ")": a command name with spaces and parentheses', () => {
    const s = parseStat(statLine({ pid: 7, comm: 'my proc) x (1) S 9 9', pgrp: 4242, utime: 5, rss: 12 }));
    expect(s).toMatchObject({ pid: 7, state: 'S', pgid: 4242, utime: 5, rssPages: 12, startTime: '54873' });
  });

  it('is undefined for a line cut short or not a stat line', () => {
    const full = statLine({ pid: 7, comm: 'node', pgrp: 7 });
    expect(parseStat(full.slice(0, full.indexOf(' 54873')))).toBeUndefined();
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('groupUsage', () => {
  it("sums the group's members, leaves the shim (the leader) out, CPU with waited-for children", () => {
    const shim = parseStat(statLine({ pid: 100, comm: 'node', pgrp: 100, utime: 900, rss: 10_000 }))!;
    const sh = parseStat(
      statLine({ pid: 101, comm: 'sh', pgrp: 100, utime: 1, cutime: 40, cstime: 9, rss: 200 }),
    )!;
    const worker = parseStat(
      statLine({ pid: 102, comm: 'my worker (2)', pgrp: 100, utime: 150, stime: 50, rss: 5000 }),
    )!;
    const zombie = parseStat(statLine({ pid: 103, comm: 'x', state: 'Z', pgrp: 100, utime: 10 }))!;
    expect(groupUsage([shim, sh, worker, zombie], 100, HOST)).toEqual({
      // (1 + 40 + 9) + (150 + 50) + 10 ticks at 100 per second: 2.6 s
      cpuTotalNs: 2.6e9,
      systemCpuNs: 0,
      onlineCpus: 2,
      memoryBytes: 5200 * 4096,
      memoryLimitBytes: 8 * 2 ** 30,
      pids: 3,
    });
  });

  it('an empty group (the command ended, only the shim left) reads as nothing', () => {
    const shim = parseStat(statLine({ pid: 100, comm: 'node', pgrp: 100, utime: 900, rss: 10_000 }))!;
    expect(groupUsage([shim], 100, HOST)).toMatchObject({ cpuTotalNs: 0, memoryBytes: 0, pids: 0 });
    expect(groupUsage([], 100, HOST)).toMatchObject({ cpuTotalNs: 0, memoryBytes: 0, pids: 0 });
  });
});

describe('scanProc (a /proc layout in a directory)', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('groups by process group, skipping a process gone between the listing and the read, and non-pid entries', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orch-procfs-'));
    const proc = (pid: number, stat?: string): void => {
      mkdirSync(join(dir, String(pid)));
      if (stat !== undefined) writeFileSync(join(dir, String(pid), 'stat'), stat);
    };
    proc(100, statLine({ pid: 100, comm: 'node', pgrp: 100 }));
    proc(101, statLine({ pid: 101, comm: 'a b)', pgrp: 100, utime: 3 }));
    proc(200, statLine({ pid: 200, comm: 'other', pgrp: 200 }));
    proc(300); // exited: its directory listed, its stat gone (ENOENT)
    proc(301, 'truncat'); // half-written
    mkdirSync(join(dir, 'self'));
    writeFileSync(join(dir, 'stat'), 'cpu 1 2 3');

    const groups = await scanProc(dir);
    expect([...groups.keys()].sort()).toEqual([100, 200]);
    expect(
      groups
        .get(100)
        ?.map((s) => s.pid)
        .sort(),
    ).toEqual([100, 101]);
  });
});
