import { resolve } from 'node:path';
import * as Flags from '@oclif/core/flags';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrchCommand } from '../../../src/cli/base-command.js';
import { OrchError } from '../../../src/errors/index.js';

// The --json envelope is the base class's job: these commands only return results or throw.
const root = resolve(import.meta.dirname, '../../..');

class Rows extends OrchCommand {
  static override enableJsonFlag = true;
  static override flags = { fail: Flags.string({ options: ['orch', 'partial', 'bug'] }) };
  async run(): Promise<{ service: string }[]> {
    const { flags } = await this.parse(Rows);
    const rows = [{ service: 'api' }];
    this.out('human table');
    this.say('narration');
    if (flags.fail === 'orch') throw new OrchError('ENGINE_UNREACHABLE', 'cannot reach Docker');
    if (flags.fail === 'partial') this.failWith(rows, new OrchError('STACK_FAILED', 'api did not come up'));
    if (flags.fail === 'bug') throw new TypeError('x is undefined');
    return rows;
  }
}

class NoJson extends OrchCommand {
  async run(): Promise<string> {
    await this.parse(NoJson);
    this.out('plain');
    return 'result';
  }
}

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** The last line of stderr: the error object comes after any narration. */
function errorObject(): { error: Record<string, unknown> } {
  const last = stderr.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as { error: Record<string, unknown> };
}

describe('the --json envelope', () => {
  it('prints the returned result as the one document on stdout, and no human output there', async () => {
    await Rows.run(['--json'], root);
    expect(JSON.parse(stdout)).toEqual([{ service: 'api' }]);
    expect(stdout).not.toContain('human table');
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('without --json prints the human output and not the result', async () => {
    await Rows.run([], root);
    expect(stdout).toBe('human table\n');
    expect(stderr).toBe('narration\n');
  });

  it("an orch error: one {error: {code, message, hint}} object on stderr, the catalogue's exit code", async () => {
    await Rows.run(['--json', '--fail', 'orch'], root);
    expect(stdout).toBe('');
    expect(errorObject()).toEqual({
      error: {
        code: 'engine-unreachable',
        message: 'cannot reach Docker',
        hint: expect.stringContaining('Docker'),
      },
    });
    expect(process.exitCode).toBe(3);
  });

  it('failWith keeps the result on stdout and puts the error on stderr', async () => {
    await Rows.run(['--json', '--fail', 'partial'], root);
    expect(JSON.parse(stdout)).toEqual([{ service: 'api' }]);
    expect(errorObject().error['code']).toBe('stack-failed');
    expect(process.exitCode).toBe(1);
  });

  it('a flag parsing error is a usage error object (exit 2)', async () => {
    await Rows.run(['--json', '--fail', 'nope'], root);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toMatchObject({
      error: { code: 'usage', message: expect.stringContaining('--fail') },
    });
    expect(process.exitCode).toBe(2);
  });

  it('a bug is code "internal", exit 70, and no stack unless --debug', async () => {
    await Rows.run(['--json', '--fail', 'bug'], root);
    const obj = errorObject();
    expect(obj.error).toMatchObject({ code: 'internal', message: 'internal error: x is undefined' });
    expect(obj.error['stack']).toBeUndefined();
    expect(process.exitCode).toBe(70);
    stderr = '';
    await Rows.run(['--json', '--fail', 'bug', '--debug'], root);
    expect(errorObject().error['stack']).toContain('TypeError: x is undefined');
  });

  it('project-file problems: each as file:line:col in the message and as objects in problems', async () => {
    class Bad extends OrchCommand {
      static override enableJsonFlag = true;
      async run(): Promise<void> {
        await this.parse(Bad);
        const d = {
          severity: 'error',
          file: 'orch.yaml',
          line: 4,
          col: 5,
          message: 'unknown key `x`',
        } as const;
        throw new OrchError('PROJECT_INVALID', 'orch.yaml: 1 problem found', { diagnostics: [d] });
      }
    }
    await Bad.run(['--json'], root);
    const { error } = JSON.parse(stderr) as { error: { message: string; problems: unknown[]; code: string } };
    expect(error.code).toBe('project-invalid');
    expect(error.message).toBe('orch.yaml:4:5: unknown key `x`\norch.yaml: 1 problem found');
    expect(error.problems).toEqual([expect.objectContaining({ line: 4, col: 5 })]);
    expect(process.exitCode).toBe(2);
  });

  it('a command without the envelope refuses --json as a usage error, in words', async () => {
    await NoJson.run(['--json'], root);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^orch: Nonexistent flag: --json/);
    expect(process.exitCode).toBe(2);
  });
});
