import { describe, expect, it } from 'vitest';
import { toKubernetes, toSwarmStack } from '../../../src/core/export/index.js';
import { OrchError } from '../../../src/errors/index.js';
import { loadProject, memoryFs } from '../../../src/project/index.js';

const FILE = '/p/orch.yaml';

async function input(yaml: string) {
  const { project } = await loadProject({ cwd: '/p', env: {} }, memoryFs({ [FILE]: yaml }));
  return { project, files: new Map<string, Uint8Array>(), env: {} };
}

describe('export of a project with a host process', () => {
  const yaml =
    'services:\n  web:\n    x-orch:\n      process: { command: npm run dev }\n  api:\n    image: busybox\n';

  it('Swarm and Kubernetes stop with a usage error naming the service', async () => {
    const inp = await input(yaml);
    for (const run of [() => toSwarmStack(inp, { image: 'gw' }, new Set()), () => toKubernetes(inp)]) {
      let err: unknown;
      try {
        run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OrchError);
      expect((err as OrchError).exitCode).toBe(2);
      expect((err as OrchError).message).toMatch(
        /^service `web` runs on the host \(x-orch\.process\): (Swarm|Kubernetes) cannot run it$/,
      );
    }
  });

  it('a project without one exports as before', async () => {
    const inp = await input('services:\n  api:\n    image: busybox\n');
    expect(() => toKubernetes(inp)).not.toThrow();
  });
});
