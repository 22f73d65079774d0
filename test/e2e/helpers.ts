import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'bin/run.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm run build first) the way a user would, without colour. */
export function orch(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

export function docker(args: readonly string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A temporary project folder with these files; returns its path. */
export function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Everything on the engine that carries this project's label. */
export function leftovers(project: string): { containers: string[]; networks: string[]; volumes: string[] } {
  const f = `label=dev.orch.project=${project}`;
  const list = (args: string[]): string[] => docker(args).split('\n').filter(Boolean);
  return {
    containers: list(['ps', '-aq', '--filter', f]),
    networks: list(['network', 'ls', '-q', '--filter', f]),
    volumes: list(['volume', 'ls', '-q', '--filter', f]),
  };
}

/** Removes whatever a test left behind, by label only. */
export function forceClean(project: string): void {
  const l = leftovers(project);
  if (l.containers.length) spawnSync('docker', ['rm', '-f', '-v', ...l.containers]);
  if (l.networks.length) spawnSync('docker', ['network', 'rm', ...l.networks]);
  if (l.volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...l.volumes]);
}

export interface Inspect {
  Id: string;
  Name: string;
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status: string; Log: { Start: string; End: string; ExitCode: number }[] };
  };
  Config: { Labels: Record<string, string> };
}

export function inspect(nameOrId: string): Inspect {
  const parsed = JSON.parse(docker(['inspect', nameOrId])) as Inspect[];
  const first = parsed[0];
  if (!first) throw new Error(`no container ${nameOrId}`);
  return first;
}

export interface EngineEvent {
  status: string;
  id: string;
  timeNano: number;
  Actor: { Attributes: Record<string, string> };
}

/**
 * Records a project's container start and health events live, from the engine itself (its event
 * history is a small ring buffer that health-check execs flood, so it cannot be read afterwards).
 */
export async function recordEvents(project: string): Promise<() => Promise<EngineEvent[]>> {
  const child = spawn('docker', [
    'events',
    '--filter',
    `label=dev.orch.project=${project}`,
    '--filter',
    'type=container',
    '--filter',
    'event=start',
    '--filter',
    'event=health_status',
    '--format',
    '{{json .}}',
  ]);
  let buf = '';
  child.stdout.on('data', (d: Buffer) => (buf += d.toString()));
  // `docker events` only reports what happens after it has subscribed.
  await new Promise((r) => setTimeout(r, 300));
  return async () => {
    await new Promise((r) => setTimeout(r, 300));
    child.kill();
    return buf
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EngineEvent);
  };
}
