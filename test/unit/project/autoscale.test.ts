import { describe, expect, it } from 'vitest';
import { toComposeCanonical } from '../../../src/project/index.js';
import { load, project, where } from './helpers.js';

const routed = (svc: string, route = 'api') => `name: as
x-orch:
  gateway:
    port: 18080
    routes: [{ path: /, service: ${route}, port: 80 }]
services:
  api:
    image: busybox
${svc}`;

describe('x-orch.autoscale', () => {
  it('is read into the model with defaults (min 1, cooldown 30s) and printed by config', async () => {
    const p = await project(
      routed('    x-orch:\n      autoscale: { max: 4, target: { inflight_per_replica: 8 } }\n'),
    );
    const a = p.services['api']?.orch.autoscale;
    expect(a).toMatchObject({
      min: 1,
      max: 4,
      target: { metric: 'inflight_per_replica', value: 8 },
      cooldownMs: 30_000,
    });
    expect(a?.pos.line).toBe(10);
    const cfg = toComposeCanonical(p) as { services: Record<string, Record<string, unknown>> };
    expect(cfg.services['api']?.['x-orch']).toMatchObject({
      autoscale: { min: 1, max: 4, target: { inflight_per_replica: 8 }, cooldown: '30s' },
    });
  });

  it('takes every target and a cooldown; values may come from interpolation', async () => {
    const p = await project(
      routed(
        '    x-orch:\n      autoscale: { min: 2, max: "${MAX}", target: { p95_ms: "${P95}" }, cooldown: 5s }\n',
      ),
      { env: { MAX: '6', P95: '250.5' } },
    );
    expect(p.services['api']?.orch.autoscale).toMatchObject({
      min: 2,
      max: 6,
      target: { metric: 'p95_ms', value: 250.5 },
      cooldownMs: 5000,
    });
    // No replica count written: it starts at min.
    expect(p.services['api']?.replicas).toBe(2);
  });

  it('rejects min 0, max below min, no target or two, a target of 0, each at its line', async () => {
    const r = await load(`name: as
services:
  a:
    image: busybox
    x-orch:
      autoscale:
        min: 0
        max: 2
        target: { cpu_percent: 50 }
  b:
    image: busybox
    x-orch:
      autoscale:
        min: 3
        max: 2
        target: { cpu_percent: 50 }
  c:
    image: busybox
    x-orch:
      autoscale:
        max: 2
        target: { cpu_percent: 50, p95_ms: 100 }
  d:
    image: busybox
    x-orch:
      autoscale:
        max: 2
        target: {}
  e:
    image: busybox
    x-orch:
      autoscale:
        max: 2
        target: { cpu_percent: 0 }
`);
    expect(r.errors.map((e) => `${where(e)} ${e.message}`)).toEqual([
      expect.stringMatching(/^7:\d+ autoscale min must be at least 1/),
      expect.stringMatching(/^15:\d+ autoscale max \(2\) is below min \(3\)/),
      expect.stringMatching(/^22:9 autoscale needs exactly one target \(found p95_ms, cpu_percent\)/),
      expect.stringMatching(/^28:9 autoscale needs exactly one target \(found none\)/),
      expect.stringMatching(/^34:\d+ autoscale target cpu_percent must be a number above 0/),
    ]);
    expect(r.errors[0]?.file).toBe('/proj/compose.yaml');
    expect(r.errors[0]?.key).toBe('services.a.x-orch.autoscale.min');
  });

  it('an unknown target or key is a schema error', async () => {
    const r = await load(
      'services:\n  a:\n    image: busybox\n    x-orch:\n      autoscale: { max: 2, target: { rps: 5 } }\n',
    );
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.map((e) => e.message).join('\n')).toMatch(/rps/);
  });

  it('a fixed host port or container_name cannot scale', async () => {
    const r = await load(`name: as
services:
  a:
    image: busybox
    ports: ["8000:80"]
    x-orch:
      autoscale: { max: 3, target: { cpu_percent: 50 } }
  b:
    image: busybox
    container_name: bee
    x-orch:
      autoscale: { max: 3, target: { cpu_percent: 50 } }
`);
    expect(r.errors.map((e) => `${where(e)} ${e.message}`)).toEqual([
      '7:7 `a` autoscales up to 3 replicas but publishes fixed host port 8000',
      '12:7 `b` autoscales up to 3 replicas but has a fixed container_name',
    ]);
  });

  it('a gateway figure needs a gateway route to the service', async () => {
    const r = await load(
      routed(
        '  web:\n    image: busybox\n    x-orch:\n      autoscale: { max: 2, target: { p95_ms: 100 } }\n',
      ),
    );
    expect(r.errors.map((e) => `${where(e)} ${e.message}`)).toEqual([
      expect.stringMatching(
        /^12:38 `web` autoscales on p95_ms, which the gateway measures, but no gateway route/,
      ),
    ]);
  });

  it('deploy.replicas outside [min, max] is clamped with a warning at its line', async () => {
    const r = await load(
      routed(
        '    deploy: { replicas: 9 }\n    x-orch:\n      autoscale: { min: 1, max: 3, target: { inflight_per_replica: 4 } }\n',
      ),
    );
    expect(r.errors).toEqual([]);
    expect(r.result?.project.services['api']?.replicas).toBe(3);
    expect(r.warnings.map((w) => `${where(w)} ${w.message}`)).toEqual([
      '9:15 9 replicas is outside x-orch.autoscale [1, 3]: starting with 3',
    ]);
  });
});
