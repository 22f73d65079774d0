import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planScaffold } from '../../../src/core/scaffold/index.js';
import { loadProject, memoryFs } from '../../../src/project/index.js';
import { builtin, repoRoot } from './helpers.js';

const shopText = readFileSync(join(repoRoot, 'examples/shop/orch.yaml'), 'utf8');

async function shop(text = shopText) {
  const { project } = await loadProject(
    { cwd: '/p', files: ['/p/orch.yaml'], env: {}, profiles: ['*'] },
    memoryFs({ '/p/orch.yaml': text }),
  );
  return project;
}

async function plan(template: string, name: string, given: Record<string, string> = {}, text = shopText) {
  return planScaffold({
    template: await builtin(template),
    name,
    dir: `./${name}`,
    project: await shop(text),
    projectFile: 'orch.yaml',
    projectText: text,
    given,
    route: true,
  });
}

describe('planScaffold refusals (exit 2)', () => {
  it('refuses an existing service', async () => {
    await expect(plan('node-http', 'api')).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/service `api` already exists/),
    });
  });

  it('refuses an invalid name', async () => {
    await expect(plan('node-http', '../x')).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/path separator/),
    });
  });

  it('refuses an explicit port another service uses, naming it', async () => {
    await expect(plan('node-http', 'payments', { port: '3000' })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/port 3000 is already used by api .*web/),
    });
  });

  it('refuses --port for a template without a port', async () => {
    await expect(plan('node-worker', 'mailer', { port: '9000' })).rejects.toMatchObject({
      message: expect.stringMatching(/takes no port/),
    });
  });

  it('refuses a route path that exists', async () => {
    const text = shopText.replace('      - path: /api\n', '      - path: /payments\n');
    await expect(plan('node-http', 'payments', {}, text)).rejects.toMatchObject({
      message: expect.stringMatching(/gateway route for `\/payments` already exists/),
    });
  });
});

describe('planScaffold choices', () => {
  it('moves the default port up past the used ones, and says so', async () => {
    const p = await plan('node-http', 'payments');
    expect(p.vars['port']).toBe(3001);
    expect(p.notes.join('\n')).toMatch(/port 3000 is used by .*; using 3001/);
    expect(p.route).toEqual({ path: '/payments', service: 'payments', port: 3001, strip_prefix: true });
  });

  it('reuses an existing redis for node-http-redis and adds one where there is none', async () => {
    const reused = await plan('node-http-redis', 'counter');
    expect(reused.companionsReused).toEqual(['redis']);
    expect(reused.companionsAdded).toEqual([]);
    const bare = 'services:\n  web:\n    image: busybox:latest\n';
    const added = await plan('node-http-redis', 'counter', {}, bare);
    expect(added.companionsAdded).toEqual(['redis']);
    expect(added.edit.text).toContain('  redis:\n    image: redis:7\n');
    expect(added.edit.text.indexOf('  redis:')).toBeLessThan(added.edit.text.indexOf('  counter:'));
  });

  it('refuses to depend on an existing redis that has no health source', async () => {
    const text = 'services:\n  redis:\n    image: redis:7\n';
    await expect(plan('node-http-redis', 'counter', {}, text)).rejects.toMatchObject({
      message: expect.stringMatching(/`redis` has no healthcheck or x-orch probe/),
    });
  });

  it('the edited shop file still loads, with the new service and route', async () => {
    const p = await plan('node-http', 'payments');
    const project = await shop(p.edit.text);
    expect(project.services['payments']?.healthcheck?.test).toContain('http://127.0.0.1:3001/health');
    expect(project.services['payments']?.watch.map((w) => w.action)).toEqual(['sync+restart', 'rebuild']);
    expect(project.orch.gateway?.routes.at(-1)).toMatchObject({
      path: '/payments',
      service: 'payments',
      port: 3001,
      stripPrefix: true,
    });
  });
});
