import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessRuntime, processesDir } from '../../src/adapters/process/index.js';
import { alive } from '../procs.js';
import { projectDir, repoRoot } from './helpers.js';

/**
 * The supervisor is a separate OS process (the built runtime, as `orch supervise` will run it):
 * after its `kill -9`, the host process keeps running and writing its log, and a new runtime
 * adopts it and ends it. No engine needed; in this tier because it runs dist/ (npm run build).
 */
const SUPERVISOR = `
const { loadProject, memoryFs } = await import(${JSON.stringify(join(repoRoot, 'dist/project/index.js'))});
const { ProcessRuntime, processesDir } = await import(${JSON.stringify(join(repoRoot, 'dist/adapters/process/index.js'))});
const { readFileSync } = await import('node:fs');
const [dir] = process.argv.slice(1);
const file = dir + '/orch.yaml';
const { project } = await loadProject({ cwd: dir, files: [file], env: process.env }, memoryFs({ [file]: readFileSync(file, 'utf8') }));
const rt = new ProcessRuntime({ dirOf: (n) => processesDir(dir, n) });
const snap = await rt.create(project, project.services.ticker, 1);
await rt.start(snap.id);
const s = await rt.inspect(snap.id);
process.stdout.write(JSON.stringify({ id: s.id, pid: s.pid }) + '\\n');
setInterval(() => {}, 1000);
`;

let dir: string | undefined;
afterEach(async () => {
  if (!dir) return;
  const rt = new ProcessRuntime({ dirOf: (n) => processesDir(dir!, n) });
  for (const r of await rt.list('survive')) await rt.remove(r.id, { graceMs: 0 });
  rt.close();
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('host process survives a kill -9 of its supervisor', () => {
  it('keeps running and logging, and a new runtime adopts it, then ends its whole group', async () => {
    dir = projectDir({
      'orch.yaml': `name: survive
services:
  ticker:
    x-orch:
      process: { command: "while true; do echo tick; sleep 0.1; done" }
`,
    });
    const sup = spawn(process.execPath, ['--input-type=module', '-e', SUPERVISOR, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      sup.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      sup.on('exit', (code) => reject(new Error(`supervisor exited ${code}`)));
    });
    const { id, pid } = JSON.parse(line) as { id: string; pid: number };
    sup.kill('SIGKILL');
    await new Promise((r) => sup.once('exit', r));

    const log = join(processesDir(dir, 'survive'), `${id}.log`);
    for (let i = 0; i < 100 && statSync(log).size === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const before = statSync(log).size;
    expect(before).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(alive(pid)).toBe(true);
    expect(statSync(log).size).toBeGreaterThan(before);
    expect(readFileSync(log, 'utf8')).toMatch(/^\S+Z o tick$/m);

    const rt = new ProcessRuntime({ dirOf: (n) => processesDir(dir!, n) });
    try {
      const [adopted] = await rt.list('survive');
      expect(adopted).toMatchObject({ id, pid, state: 'running' });
      await rt.stop(id, 2_000);
      expect(alive(pid)).toBe(false);
      expect((await rt.inspect(id)).state).toBe('exited');
    } finally {
      rt.close();
    }
  });
});
