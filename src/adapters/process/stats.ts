import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import type { UsageReading } from '../../core/ports.js';
import { parseStat, type ProcStat } from './proc.js';

/**
 * CPU, memory and pids of a host-process replica, read from /proc: the sum over the live
 * processes of its process group (field 5 of /proc/<pid>/stat equal to the shim's pid), the shim
 * itself left out. The shim is orch's (~42 MB resident, mostly Node's shared binary); the figures
 * are meant to be the command's, as a container's are its own.
 *
 * - CPU: utime + stime of each member, plus cutime + cstime (the children it has waited for), so
 *   the short-lived children of a build or a shell script count once they end, as they do in a
 *   container's cgroup. The counter is in clock ticks; the sampler makes a rate of it over wall
 *   time (systemCpuNs 0), as a share of one CPU like `docker stats`.
 * - Memory: the members' RSS summed, so a page they share (after a fork) counts in each of them,
 *   as a sum over `ps` counts it. The limit is the host's memory, as `docker stats` shows for a container
 *   without one.
 * - Network: none. A host process shares the host's network namespace, where Linux counts bytes
 *   per interface, not per process.
 *
 * A process that leaves the group (`setsid`) is not counted, as it is not stopped with it.
 */
export async function readGroupUsage(leader: number): Promise<UsageReading> {
  const [host, groups] = await Promise.all([hostUnits(), processGroups()]);
  return groupUsage(groups.get(leader) ?? [], leader, host);
}

/** What a reading is converted with: constants of the host, read once. */
export interface HostUnits {
  readonly ticksPerSecond: number;
  readonly pageBytes: number;
  readonly memoryBytes: number;
  readonly cpus: number;
}

/** The reading of one group from its members' stats (the leader, `leader`, left out). */
export function groupUsage(members: readonly ProcStat[], leader: number, host: HostUnits): UsageReading {
  let ticks = 0;
  let pages = 0;
  let pids = 0;
  for (const m of members) {
    if (m.pid === leader) continue;
    ticks += m.utime + m.stime + m.cutime + m.cstime;
    pages += m.rssPages;
    pids++;
  }
  return {
    cpuTotalNs: (ticks * 1e9) / host.ticksPerSecond,
    systemCpuNs: 0,
    onlineCpus: host.cpus,
    memoryBytes: pages * host.pageBytes,
    memoryLimitBytes: host.memoryBytes,
    pids,
  };
}

let units: Promise<HostUnits> | undefined;

/**
 * Clock ticks per second and the page size, from `getconf` once per orch (USER_HZ is 100 on
 * every common Linux architecture; pages are 4 KiB on x86 but may be 16 or 64 KiB on arm64).
 */
export function hostUnits(): Promise<HostUnits> {
  units ??= Promise.all([getconf('CLK_TCK', 100), getconf('PAGESIZE', 4096)]).then(
    ([ticksPerSecond, pageBytes]) => ({
      ticksPerSecond,
      pageBytes,
      memoryBytes: totalmem(),
      cpus: availableParallelism(),
    }),
  );
  return units;
}

function getconf(name: string, fallback: number): Promise<number> {
  return new Promise((resolve) =>
    execFile('getconf', [name], { timeout: 5000 }, (err, stdout) => {
      const n = Number(String(stdout).trim());
      resolve(!err && Number.isInteger(n) && n > 0 ? n : fallback);
    }),
  );
}

let scanning: Promise<Map<number, ProcStat[]>> | undefined;

/**
 * Every process's stat by process group. Reads that come while a scan runs share it: the
 * sampler reads several replicas at once, and one pass over /proc serves them all.
 */
export function processGroups(): Promise<Map<number, ProcStat[]>> {
  scanning ??= scanProc('/proc').finally(() => (scanning = undefined));
  return scanning;
}

/** Stat files read between two turns of the event loop. */
const CHUNK = 64;
/** A stat line is under 1 KB (the command name is at most 16 bytes in it). */
const line = Buffer.alloc(4096);

/**
 * Every process's stat in `dir` (/proc, or a copy of its layout in tests), by process group.
 * Read synchronously in chunks of CHUNK, yielding between them: about a third of the CPU of
 * fs/promises (a FileHandle and four thread-pool round trips per file; measured ~65 against
 * ~200 µs per process on a loaded 2-core machine), while the supervisor's event loop (the
 * gateway's) waits at most one chunk, a few ms.
 */
export async function scanProc(dir: string): Promise<Map<number, ProcStat[]>> {
  const pids = (await readdir(dir)).filter((n) => /^\d+$/.test(n));
  const groups = new Map<number, ProcStat[]>();
  for (let i = 0; i < pids.length; i += CHUNK) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const pid of pids.slice(i, i + CHUNK)) {
      const s = readStat(`${dir}/${pid}/stat`);
      if (!s) continue;
      const g = groups.get(s.pgid);
      if (g) g.push(s);
      else groups.set(s.pgid, [s]);
    }
  }
  return groups;
}

/** One stat file; undefined for a process that ended since the listing (ENOENT, ESRCH). */
function readStat(file: string): ProcStat | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, line, 0, line.length, 0);
    return parseStat(line.toString('latin1', 0, n));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
