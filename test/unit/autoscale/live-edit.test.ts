import { describe, expect, it } from 'vitest';
import { keepAutoscaledCounts } from '../../../src/core/autoscale/index.js';
import { serviceConfigHash } from '../../../src/core/engine/config-hash.js';
import { diffProjects } from '../../../src/core/watch/plan.js';
import { project as load } from '../project/helpers.js';

const file = (autoscale: string, replicas = 1) => `name: le
services:
  api:
    image: busybox
    deploy: { replicas: ${replicas} }
    x-orch:
      ${autoscale}
  db:
    image: redis:7
    deploy: { replicas: ${replicas} }
x-orch:
  gateway: { port: 18080, routes: [{ path: /, service: api, port: 80 }] }
`;

describe('a live edit of an autoscaled service', () => {
  it('keeps the count the autoscaler set, within the new [min, max], instead of the file’s', async () => {
    const before = await load(file('autoscale: { max: 5, target: { inflight_per_replica: 4 } }'));
    // The autoscaler took api to 4.
    const running = {
      ...before,
      services: { ...before.services, api: { ...before.services['api']!, replicas: 4 } },
    };
    const edited = await load(file('autoscale: { max: 3, target: { inflight_per_replica: 2 } }', 2));
    const next = keepAutoscaledCounts(running, edited);
    expect(next.services['api']?.replicas).toBe(3);
    // Services without autoscaling follow the file as before.
    expect(next.services['db']?.replicas).toBe(2);
    expect(diffProjects(running, next).changes).toEqual([
      { kind: 'scale', service: 'api', from: 4, to: 3 },
      { kind: 'scale', service: 'db', from: 1, to: 2 },
    ]);
    const same = keepAutoscaledCounts(
      running,
      await load(file('autoscale: { max: 5, target: { inflight_per_replica: 2 } }')),
    );
    expect(diffProjects(running, same).changes.map((c) => c.kind)).toEqual(['unchanged', 'unchanged']);
  });

  it('autoscale settings (and where they sit in the file) do not recreate containers', async () => {
    const a = await load(file('autoscale: { max: 5, target: { inflight_per_replica: 4 } }'));
    const b = await load(
      `# a comment moves every line down\n${file('autoscale: { min: 2, max: 9, target: { p95_ms: 100 } }')}`,
    );
    expect(serviceConfigHash(a.services['api']!, 'img')).toBe(serviceConfigHash(b.services['api']!, 'img'));
    const { autoscale: _dropped, ...orch } = a.services['api']!.orch;
    const plain = { ...a.services['api']!, orch };
    expect(serviceConfigHash(plain, 'img')).toBe(serviceConfigHash(a.services['api']!, 'img'));
  });
});
