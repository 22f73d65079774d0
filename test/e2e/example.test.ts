import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forceClean, leftovers, orch, repoRoot, uniqueName } from './helpers.js';

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
});
