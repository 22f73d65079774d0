import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../procs.js';
import { forceClean, freePort, leftovers, orch, ps, repoRoot, uniqueName } from './helpers.js';

// The README's main job, as CI can run it: the example stack comes up healthy and answers
// through the gateway (its own x-orch.smoke checks), and leaves nothing behind.
describe('the example stack (examples/shop)', () => {
  const name = uniqueName('shop');
  afterAll(() => forceClean(name));

  it('comes up healthy and passes its smoke checks through the gateway', async () => {
    const junit = join(repoRoot, 'test-results', `${name}.xml`);
    const r = await orch(
      [
        'smoke',
        '-f',
        'examples/shop/orch.yaml',
        '-p',
        name,
        '--gateway-port',
        '0',
        '--junit',
        junit,
        '--timeout',
        '240',
      ],
      {},
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 passed, 0 failed/);
    // web runs on the host (x-orch.process) and its page came from the api through the gateway
    expect(r.stderr).toMatch(new RegExp(`web: host process ${name}-web-1 created`));
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/failures="0"/);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('web runs on the host: one request is traced gateway -> web (host) -> gateway -> api', async () => {
    // The smoke run's project name: its images are still there (removed after the file), so none is built again.
    const traced = name;
    // --file: for `orch logs`, -f is --follow
    const file = ['--file', 'examples/shop/orch.yaml', '-p', traced];
    const port = await freePort();
    const up = await orch([
      'up',
      '-d',
      '--wait',
      '--timeout',
      '240',
      '--no-dashboard',
      '--gateway-port',
      String(port),
      ...file,
    ]);
    try {
      expect(up.code, up.stderr).toBe(0);
      const web = (await ps(repoRoot, file)).filter((r) => r.service === 'web');
      expect(web).toHaveLength(1);
      expect(web[0]!.pid).toBeGreaterThan(0);
      const id = `trace-${traced}`;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/hello from orch/);
      const lines = await until(
        'the four lines of the request',
        async () => {
          const r = await orch(['logs', '--trace', id, ...file]);
          const out = r.stdout.split('\n').filter(Boolean);
          const has = (re: RegExp) => out.some((l) => re.test(l));
          return has(/^gateway.* \/api\/visit /) &&
            has(/^gateway.* GET \/ /) &&
            has(/^web-1 /) &&
            has(/^api-\d /)
            ? out
            : undefined;
        },
        20_000,
        300,
      );
      expect(
        lines.every((l) => l.includes(id)),
        lines.join('\n'),
      ).toBe(true);
    } finally {
      const down = await orch(['down', '-v', ...file]);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(leftovers(traced)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
