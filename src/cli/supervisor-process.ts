import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../model/project.js';
import { ControlClient } from '../adapters/control/client.js';
import { socketPath, stateDir, supervisorLog } from '../adapters/control/paths.js';
import { OrchError } from '../errors/index.js';
import type { Handover } from './handover.js';

export function controlClient(project: Project): ControlClient {
  return new ControlClient(socketPath(project));
}

/** Asks a running supervisor to let go of the project (containers stay), and waits until it has. */
export async function stopSupervisor(project: Project): Promise<boolean> {
  const client = controlClient(project);
  if (!(await client.alive())) return false;
  await client.call('POST', '/shutdown');
  for (let i = 0; i < 100; i++) {
    if (!(await client.alive())) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new OrchError('STACK_FAILED', `the supervisor of ${project.name} did not stop`, {
    hint: `kill it (pid in ${join(stateDir(project), 'supervisor.pid')}) and run the command again`,
  });
}

export interface PendingSupervisor {
  /**
   * Hands the project over; resolves once the supervisor serves it (gateway included) and, for
   * `up --wait`, once it too judges `healthy` the replicas (`service/replica`) that `up` found
   * healthy: otherwise the gateway could answer 502 for a moment after `--wait` returned.
   */
  adopt(
    healthy?: ReadonlySet<string>,
    handover?: Handover,
  ): Promise<{ gateway: { host: string; port: number } | null; dashboard: string | null }>;
  /** `up` failed or was interrupted: the waiting supervisor goes away. */
  abort(): Promise<void>;
}

/**
 * Starts the background supervisor (`orch supervise --handover`) detached from this terminal,
 * with its output in `.orch/<project>/supervisor.log`. It boots while `up` brings the stack up
 * and adopts the containers when `adopt()` is called, so its start-up is off the critical path.
 */
export async function spawnSupervisor(project: Project, args: readonly string[]): Promise<PendingSupervisor> {
  const dir = stateDir(project);
  await mkdir(dir, { recursive: true });
  const logFile = supervisorLog(project);
  const out = await open(logFile, 'a');
  const entry = process.argv[1] ?? '';
  const child = spawn(process.execPath, [entry, 'supervise', '--handover', ...args], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
    env: { ...process.env, NO_COLOR: '1' },
  });
  child.unref();
  await out.close();
  let exited = false;
  child.once('exit', () => (exited = true));
  const client = controlClient(project);
  const failed = (): OrchError =>
    new OrchError('STACK_FAILED', `the background supervisor did not start; see ${logFile}`, {
      hint: 'a taken gateway port is the usual cause: set --gateway-port or x-orch.gateway.port',
    });
  /** Polls the supervisor's status until `ready` says so (up to 15s). */
  const until = async <T>(ready: (s: T) => boolean): Promise<T> => {
    for (let i = 0; i < 300 && !exited; i++) {
      try {
        const s = await client.call<T>('GET', '/status', undefined, 1000);
        if (ready(s)) return s;
      } catch {
        // not listening yet, or switching from the handover socket to the real one
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw failed();
  };
  type Status = {
    phase?: string;
    gateway: { host: string; port: number } | null;
    dashboard?: string | null;
    rows?: readonly { service: string; replica: number; health: string }[];
  };
  /** The adopting supervisor's own verdicts, polled up to `limitMs`; then `up` returns anyway. */
  const untilHealthy = async (healthy: ReadonlySet<string>, limitMs: number): Promise<void> => {
    const deadline = Date.now() + limitMs;
    while (!exited && Date.now() < deadline) {
      try {
        const s = await client.call<Status>('GET', '/status', undefined, 1000);
        const verdicts = new Map((s.rows ?? []).map((r) => [`${r.service}/${r.replica}`, r.health]));
        if ([...healthy].every((k) => verdicts.get(k) === 'healthy')) return;
      } catch {
        // between sockets: ask again
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    async adopt(healthy, handover) {
      await until<Status>((s) => s.phase === 'waiting');
      await client.call('POST', '/adopt', handover);
      const status = await until<Status>((s) => s.phase === undefined);
      if (healthy && healthy.size > 0) await untilHealthy(healthy, 60_000);
      return { gateway: status.gateway, dashboard: status.dashboard ?? null };
    },
    async abort() {
      if (exited) return;
      try {
        await until<Status>((s) => s.phase === 'waiting');
        await client.call('POST', '/shutdown');
      } catch {
        child.kill('SIGTERM');
      }
    },
  };
}

/** Spawns and adopts at once (when there was nothing to overlap with). */
export async function startSupervisor(
  project: Project,
  args: readonly string[],
): Promise<{ gateway: { host: string; port: number } | null; dashboard: string | null }> {
  return (await spawnSupervisor(project, args)).adopt();
}

/** The flags that make `orch supervise` load exactly this project. */
export function projectArgs(
  project: Project,
  extra: { envFiles?: readonly string[]; profiles?: readonly string[] },
): string[] {
  const args: string[] = [];
  for (const f of project.files) args.push('-f', f);
  args.push('-p', project.name);
  for (const e of extra.envFiles ?? []) args.push('--env-file', e);
  for (const p of extra.profiles ?? []) args.push('--profile', p);
  return args;
}
