import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, identify, type ProcessIdentity } from './proc.js';
import type { ExitRecord, ProcessRecord, ProcessStore } from './state.js';

/** The shim each replica runs under (see the file's header for why there is one). */
const SHIM = fileURLToPath(new URL('../../../assets/process-shim.mjs', import.meta.url));

/**
 * Starts the shim of replica `rec`, detached (its own process group, which it leads) and with no
 * pipe to this orch, so it outlives it. Resolves with its identity once it runs, and the child
 * handle, whose end is the run's end while this orch lives.
 */
export async function spawnShim(
  rec: ProcessRecord,
  store: ProcessStore,
): Promise<{ identity: ProcessIdentity; ended: Promise<unknown> }> {
  // There from the start, so a reader right after `start` finds a log (empty until the shim writes).
  await appendFile(store.file(rec.id, 'log'), '');
  // Loaded on first use, as in exec.ts: `orch ps` lists replicas without it.
  const { execa } = await import('execa');
  const child = execa(
    process.execPath,
    [SHIM, store.file(rec.id, 'json'), store.file(rec.id, 'log'), store.file(rec.id, 'exit')],
    {
      detached: true,
      stdio: 'ignore',
      cleanup: false,
      reject: false,
      // The shim needs nothing of orch's environment (a NODE_OPTIONS there would reach it); the
      // command's environment is in the record.
      env: {},
      extendEnv: false,
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start the shim of host process ${rec.name}`);
  child.unref();
  // Gone already (it ended at once): its exit file says how; the start time can match nothing.
  const identity = (await identify(pid)) ?? { pid, startTime: 'gone' };
  return { identity, ended: child.then(() => undefined) };
}

/** How the last run ended; a shim killed before it could say (SIGKILL) ended as Docker reports it: 137. */
export async function exitOf(rec: ProcessRecord, store: ProcessStore): Promise<ExitRecord> {
  const known = await store.readExit(rec.id);
  if (known) return known;
  const exit = { exitCode: 137, signal: 'SIGKILL', finishedAt: new Date().toISOString() };
  await store.writeExit(rec.id, exit).catch(() => undefined);
  return exit;
}

/** Waits up to `ms` for the run's whole group to be gone; whether it is. */
export async function waitGone(rec: ProcessRecord, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (!rec.run || !(await groupAlive(rec.run))) return true;
    if (Date.now() >= until) return false;
    await sleep(25);
  }
}
