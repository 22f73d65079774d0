import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

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

/** A maker of unique project names, each removed by label after the calling file's tests. */
export function projectNames(): (prefix: string) => string {
  const names: string[] = [];
  afterAll(() => names.forEach(forceClean));
  return (prefix) => {
    const name = uniqueName(prefix);
    names.push(name);
    return name;
  };
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
  // Images orch built for this project carry its label too; repeated runs would pile them up.
  const images = docker(['images', '-q', '--filter', `label=dev.orch.project=${project}`])
    .split('\n')
    .filter(Boolean);
  if (images.length) spawnSync('docker', ['rmi', '-f', ...new Set(images)]);
}

export interface Inspect {
  Id: string;
  Name: string;
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
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
 * Records a project's container start and health events (or `kinds`) live, from the engine itself (its event
 * history is a small ring buffer that health-check execs flood, so it cannot be read afterwards).
 */
export async function recordEvents(
  project: string,
  kinds: readonly string[] = ['start', 'health_status'],
): Promise<() => Promise<EngineEvent[]>> {
  const child = spawn('docker', [
    'events',
    '--filter',
    `label=dev.orch.project=${project}`,
    '--filter',
    'type=container',
    ...kinds.flatMap((k) => ['--filter', `event=${k}`]),
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

/**
 * When a container's health test first passed: its first exec that exited 0 (Docker's own check
 * or orch's start check; the test is the only exec in these containers). Needs `exec_die` events.
 */
export function firstPassingExec(events: readonly EngineEvent[], id: string): number {
  return (
    events.find((e) => e.id === id && e.status === 'exec_die' && e.Actor.Attributes['exitCode'] === '0')
      ?.timeNano ?? Number.NaN
  );
}

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The `orch supervise` processes running for this project name (by command line). */
export function supervisorPids(project: string): number[] {
  const r = spawnSync('pgrep', ['-f', `supervise .*-p ${project}( |$)`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

export interface PsRow {
  service: string;
  replica: number;
  container: string;
  state: string;
  health: string;
  restarts: number;
  ports: string[];
  startedAt: string | null;
  /** A host process's shim, which leads its process group. */
  pid?: number;
}

/** `orch ps --json` in `dir`, with `args` (e.g. `-f FILE -p NAME`). */
export async function ps(dir: string, args: readonly string[] = []): Promise<PsRow[]> {
  const r = await orch(['ps', '--json', ...args], { cwd: dir });
  if (r.code !== 0) throw new Error(`ps failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PsRow[];
}

/** A port free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The gateway address `orch up -d` printed. */
export function gatewayUrl(upStderr: string): string {
  const m = /gateway: (http:\/\/127\.0\.0\.1:\d+)\//.exec(upStderr);
  if (!m?.[1]) throw new Error(`no gateway address in:\n${upStderr}`);
  return m[1];
}

/** A tiny HTTP server for test containers (node:20-slim): echoes host and headers, /health, upgrades. */
export const echoServer = `
const http = require('node:http');
const os = require('node:os');
const s = http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  console.log('request ' + q.method + ' ' + q.url + ' request_id=' + (q.headers['x-request-id'] || '-'));
  r.setHeader('content-type', 'application/json');
  r.end(JSON.stringify({ host: os.hostname(), url: q.url, headers: q.headers }));
});
s.on('upgrade', (q, sock) => {
  sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  sock.pipe(sock);
});
s.keepAliveTimeout = 65000;
s.listen(3000);
process.on('SIGTERM', () => { s.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000); });
`;
