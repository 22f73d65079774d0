import { readFile } from 'node:fs/promises';

/**
 * A process as orch names it: its pid and its start time (field 22 of /proc/<pid>/stat, clock
 * ticks since boot). A pid alone may since have been given to another process; the pair may not.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

interface ProcStat {
  readonly state: string;
  readonly pgid: number;
  readonly startTime: string;
}

/** `/proc/<pid>/stat`: the command name (field 2) may hold spaces and parentheses, so fields count from its last `)`. */
async function procStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 5 (pgrp) is fields[2]; field 22 (starttime) is fields[19].
  const [state, , pgid, startTime] = [fields[0], fields[1], fields[2], fields[19]];
  if (state === undefined || pgid === undefined || startTime === undefined) return undefined;
  return { state, pgid: Number(pgid), startTime };
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
