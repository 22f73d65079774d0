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

  it('one with a build or image as well exports from it, exactly as without the process key', async () => {
    const container =
      'services:\n  web:\n    build: ./web\n    depends_on: [api]\n  api:\n    image: busybox\n';
    const both = container.replace(
      '    build: ./web\n',
      '    build: ./web\n    x-orch:\n      process: { command: npm run dev, port: 3000 }\n',
    );
    const [a, b] = [await input(container), await input(both)];
    expect(b.project.services['web']?.orch.process).toBeDefined();
    const images = { web: 'registry.local/web:1' };
    expect(toKubernetes({ ...b, images })).toEqual(toKubernetes({ ...a, images }));
    expect(toSwarmStack({ ...b, images }, { image: 'gw' }, new Set())).toEqual(
      toSwarmStack({ ...a, images }, { image: 'gw' }, new Set()),
    );
    // the process-only service is still refused, by name, beside it
    const mixed = await input(`${both}  dev:\n    x-orch:\n      process: { command: make watch }\n`);
    expect(() => toKubernetes(mixed)).toThrow(/^service `dev` runs on the host/);
  });

  it('a project without one exports as before', async () => {
    const inp = await input('services:\n  api:\n    image: busybox\n');
    expect(() => toKubernetes(inp)).not.toThrow();
  });
});
