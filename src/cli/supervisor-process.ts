import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../model/project.js';
import { ControlClient } from '../adapters/control/client.js';
import { socketPath, stateDir } from '../adapters/control/paths.js';
import { OrchError } from '../errors/index.js';

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

/**
 * Starts the background supervisor (`orch supervise`), detached from this terminal, with its
 * output in `.orch/<project>/supervisor.log`; resolves once its control API answers.
 */
export async function startSupervisor(
  project: Project,
  args: readonly string[],
): Promise<{ gateway: { host: string; port: number } | null }> {
  const dir = stateDir(project);
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, 'supervisor.log');
  const out = await open(logFile, 'a');
  const entry = process.argv[1] ?? '';
  const child = spawn(process.execPath, [entry, 'supervise', ...args], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
    env: { ...process.env, NO_COLOR: '1' },
  });
  child.unref();
  await out.close();
  const client = controlClient(project);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 150 && !exited; i++) {
    try {
      const status = await client.call<{ gateway: { host: string; port: number } | null }>(
        'GET',
        '/status',
        undefined,
        1000,
      );
      return { gateway: status.gateway };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new OrchError('STACK_FAILED', `the background supervisor did not start; see ${logFile}`, {
    hint: 'a taken gateway port is the usual cause: set --gateway-port or x-orch.gateway.port',
  });
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
