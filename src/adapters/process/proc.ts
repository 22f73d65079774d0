import { readFile } from 'node:fs/promises';

/**
 * A process as orch names it: its pid and its start time (field 22 of /proc/<pid>/stat, clock
 * ticks since boot). A pid alone may since have been given to another process; the pair may not.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

/** The fields of `/proc/<pid>/stat` orch reads (numbers as the kernel writes them). */
export interface ProcStat {
  readonly pid: number;
  /** Field 3: R, S, D, Z (zombie), X (dead), ... */
  readonly state: string;
  /** Field 5: the process group. */
  readonly pgid: number;
  /** Fields 14–17 in clock ticks: user and system time, and those of the children it has waited for. */
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
  /** Field 22, kept as text: compared, never computed with. */
  readonly startTime: string;
  /** Field 24: resident set size in pages. */
  readonly rssPages: number;
}

/**
 * One `/proc/<pid>/stat` line. The command name (field 2) may hold spaces and parentheses, so
 * fields count from its last `)`. Undefined for anything cut short.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // fields[0] is field 3 (state); field n is fields[n - 3].
  const fields = text.slice(close + 2).split(' ');
  const num = (n: number): number => Number(fields[n - 3]);
  const state = fields[0];
  const startTime = fields[22 - 3];
  if (state === undefined || startTime === undefined) return undefined;
  const stat = {
    pid: Number(text.slice(0, open)),
    state,
    pgid: num(5),
    utime: num(14),
    stime: num(15),
    cutime: num(16),
    cstime: num(17),
    startTime,
    rssPages: num(24),
  };
  const numbers = [stat.pid, stat.pgid, stat.utime, stat.stime, stat.cutime, stat.cstime, stat.rssPages];
  return numbers.every(Number.isFinite) ? stat : undefined;
}

/** The process's stat, or undefined when it is gone (or was never there). */
export async function procStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStat(text);
}

/** The identity of a live process, read right after it was spawned. */
export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const s = await procStat(pid);
  return s && !isGone(s) ? { pid, startTime: s.startTime } : undefined;
}

/** A zombie has exited: only its parent has not read its status yet. */
function isGone(s: ProcStat): boolean {
  return s.state === 'Z' || s.state === 'X';
}

/** Whether this very process (pid and start time) still runs. */
export async function isAlive(p: ProcessIdentity): Promise<boolean> {
  const s = await procStat(p.pid);
  return s !== undefined && !isGone(s) && s.startTime === p.startTime;
}

/**
 * Signals the process group `p` leads. Only while the leader is this very process, or when no
 * process has the leader's pid at all (then the group's members, if any, are its orphans: Linux
 * never hands out a pid that is still some group's id). Never a group led by a stranger that
 * inherited the pid. Returns whether anything was signalled.
 */
export async function signalGroup(p: ProcessIdentity, signal: NodeJS.Signals): Promise<boolean> {
  const leader = await procStat(p.pid);
  if (leader !== undefined && leader.startTime !== p.startTime) return false;
  try {
    process.kill(-p.pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Whether any process is left in the group `p` led (leader included; a zombie counts until reaped). */
export async function groupAlive(p: ProcessIdentity): Promise<boolean> {
  const leader = await procStat(p.pid);
  if (leader !== undefined && leader.startTime !== p.startTime) return false;
  try {
    process.kill(-p.pid, 0);
    return true;
  } catch {
    return false;
  }
}
