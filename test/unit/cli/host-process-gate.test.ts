import { describe, expect, it } from 'vitest';
import { refuseHostProcesses } from '../../../src/cli/host-process-gate.js';
import { OrchError } from '../../../src/errors/index.js';
import { project } from '../project/helpers.js';

describe('up before host processes can run', () => {
  it('refuses a project with one, naming it, with the usage exit code; lets others through', async () => {
    const p = await project(
      'services:\n  web:\n    x-orch:\n      process: { command: run }\n  db:\n    image: redis:7\n',
    );
    let err: unknown;
    try {
      refuseHostProcesses(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).exitCode).toBe(2);
    expect((err as OrchError).message).toMatch(/^`web` runs on the host \(x-orch\.process\)/);
    const plain = await project('services:\n  db:\n    image: redis:7\n');
    expect(() => refuseHostProcesses(plain)).not.toThrow();
  });
});
