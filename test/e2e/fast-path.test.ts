import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orch, projectDir, repoRoot, uniqueName } from './helpers.js';

// bin/run.js answers --version itself and runs `ps`/`logs` through the bundle with V8's code
// cache (in XDG_CACHE_HOME/orch): what it prints must be what oclif and the uncached path print.
const cacheHome = mkdtempSync(join(tmpdir(), 'orch-fast-cache-'));
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

describe('the entry before oclif', () => {
  it('prints --version exactly as oclif does', async () => {
    const ours = await orch(['--version']);
    const oclif = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { execute } = await import('@oclif/core/execute');
         await execute({ dir: ${JSON.stringify(repoRoot)}, args: ['--version'] });`,
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(oclif.status, oclif.stderr).toBe(0);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(oclif.stdout);
    expect(ours.stdout).toMatch(/^orch\/\d+\.\d+\.\d+ \w+-\w+ node-v\d+/);
  });

  it('ps answers alike without a code cache, with one, and with a broken one (which it replaces)', async () => {
    const dir = projectDir({
      'orch.yaml': `name: ${uniqueName('fastcache')}\nservices:\n  web:\n    image: busybox:latest\n`,
    });
    const env = { XDG_CACHE_HOME: cacheHome };
    const cached = (): string[] => readdirSync(join(cacheHome, 'orch')).filter((f) => f.endsWith('.v8'));
    // The first run loads the project (oclif) and caches the model; the fast path answers after.
    const first = await orch(['ps', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const made = await orch(['ps', '--json'], { cwd: dir, env });
    expect(made.code, made.stderr).toBe(0);
    expect(cached()).toHaveLength(1);
    const used = await orch(['ps', '--json'], { cwd: dir, env });
    writeFileSync(join(cacheHome, 'orch', cached()[0] ?? ''), 'not a code cache');
    const broken = await orch(['ps', '--json'], { cwd: dir, env });
    for (const r of [used, broken]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(first.stdout));
    }
    expect(cached()).toHaveLength(1);
    // Replaced by a real one: V8 rejects anything else, so the file is no longer the bytes written.
    expect(readFileSync(join(cacheHome, 'orch', cached()[0] ?? ''), 'latin1')).not.toBe('not a code cache');
  });
});
