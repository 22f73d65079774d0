import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orch, repoRoot, uniqueName } from './helpers.js';

// The built CLI's --json envelope (README "JSON output"): the result as one document on stdout,
// an error as one object on stderr with the documented exit code.
const fixtures = join(repoRoot, 'test/fixtures');
const good = join(fixtures, 'project/good/compose.yaml');
const badKey = join(fixtures, 'project/bad/unknown-key.yaml');

interface ErrorObject {
  error: { code: string; message: string; hint: string; problems?: { line: number; col: number }[] };
}

const dir = mkdtempSync(join(tmpdir(), 'orch-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--json success: exactly the result on stdout', () => {
  it('validate: an object, nothing else on stdout or stderr', async () => {
    const r = await orch(['validate', '--json', '-f', good]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: true,
      name: 'shop-demo',
      services: 2,
      files: [good],
    });
    expect(r.stderr).toBe('');
  });

  it('ps: the array itself, no wrapper (empty for a project with nothing running)', async () => {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, `name: ${uniqueName('json-ps')}\nservices:\n  a:\n    image: busybox:latest\n`);
    const r = await orch(['ps', '--json', '-f', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('new --dry-run: the result object, no preview of the edit on stdout', async () => {
    const project = join(dir, 'new');
    const r = await orch(['new', 'node-http', 'pay', '--dry-run', '--json', '--dir', project], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ template: 'node-http', service: 'pay', dryRun: true });
  });
});

describe('--json errors: one object on stderr, nothing on stdout, the same exit code', () => {
  it('validate on a bad file: exit 2, the problem at its line and column', async () => {
    const r = await orch(['validate', '--json', '-f', badKey]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const obj = JSON.parse(r.stderr) as ErrorObject;
    expect(obj.error.code).toBe('project-invalid');
    expect(obj.error.message).toContain(`${badKey}:4:5: unknown key \`healthchek\``);
    expect(obj.error.hint).toMatch(/\S/);
    expect(obj.error.problems).toEqual([expect.objectContaining({ line: 4, col: 5 })]);
  });

  it('a usage error from flag parsing: exit 2, code "usage"', async () => {
    const r = await orch(['config', '--json', '--no-such-flag', '-f', good]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: { code: 'usage', message: expect.stringContaining('--no-such-flag') },
    });
  });

  it('no engine: exit 3, code "engine-unreachable" with a hint', async () => {
    const r = await orch(['ps', '--json', '-f', good], {
      env: { DOCKER_HOST: `unix://${join(dir, 'no.sock')}` },
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: { code: 'engine-unreachable', hint: expect.stringContaining('Docker') },
    });
  });

  it('a partial failure keeps its result: templates lists the good ones and reports the bad one', async () => {
    const r = await orch(['templates', '--json', '--templates', join(fixtures, 'scaffold/templates')], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name)).toContain('good-one');
    const obj = JSON.parse(r.stderr) as ErrorObject;
    expect(obj.error.message).toContain('bad-manifest');
    expect(obj.error.problems?.length).toBeGreaterThan(0);
  });
});
