import { describe, expect, it } from 'vitest';
import { planScaffold } from '../../../src/core/scaffold/index.js';
import { loadProject, memoryFs } from '../../../src/project/index.js';
import { builtin } from './helpers.js';

const TEXT = `name: hosted
services:
  api:
    image: busybox
    expose: ["3000"]
x-orch:
  gateway:
    port: 8080
    routes:
      - path: /api
        service: api
        port: 3000
`;

async function load(text: string) {
  const { project } = await loadProject(
    { cwd: '/p', files: ['/p/orch.yaml'], env: {} },
    memoryFs({ '/p/orch.yaml': text }),
  );
  return project;
}

describe('the node-host template', () => {
  it('adds a host-process service with its probe and route, on a port no other service uses', async () => {
    const plan = planScaffold({
      template: await builtin('node-host'),
      name: 'front',
      dir: './front',
      project: await load(TEXT),
      projectFile: 'orch.yaml',
      projectText: TEXT,
      given: {},
      route: true,
    });
    expect(plan.vars['port']).toBe(3001);
    expect(plan.route).toEqual({ path: '/front', service: 'front', port: 3001, strip_prefix: true });
    const p = await load(plan.edit.text);
    const front = p.services['front']!;
    expect(front.orch.process).toEqual({ command: ['node', 'server.js'], cwd: '/p/front', port: 3001 });
    expect(front.orch.probe).toMatchObject({ kind: 'http', path: '/health', port: 3001 });
    expect(front.watch).toMatchObject([{ action: 'restart', path: '/p/front' }]);
    expect(plan.rendered.files.map((f) => f.path).sort()).toEqual(['package.json', 'server.js']);
    const server = plan.rendered.files.find((f) => f.path === 'server.js')!;
    expect(Buffer.from(server.content).toString('utf8')).toContain('process.env.PORT || 3001');
  });
});
