import { describe, expect, it } from 'vitest';
import { Membership, compileRoutes, quantileOfCounts } from '../../../src/core/gateway/index.js';
import type { GatewayRoute } from '../../../src/model/project.js';

/** These routes have no breaker or retry budget: nothing reads the time. */
const NO_CLOCK = { now: (): number => 0 };
const pos = { file: 'orch.yaml', line: 1, col: 1 };
const route = (path: string, service: string): GatewayRoute => ({
  path,
  service,
  port: 80,
  stripPrefix: false,
  balance: 'round_robin',
  pos,
});

describe('Membership.load (the autoscaler’s gateway figures)', () => {
  it('sums in-flight requests and latency counts over every route to the service', () => {
    const m = new Membership(
      compileRoutes([route('/a', 'api'), route('/b', 'api'), route('/', 'web')]),
      NO_CLOCK,
    );
    const [a, b, web] = m.routes;
    a!.stats.begin();
    a!.stats.begin();
    a!.stats.end(200, false, 10);
    b!.stats.begin();
    b!.stats.end(200, false, 300);
    web!.stats.begin();
    const load = m.load('api');
    // One still in flight on /a; none on /b; /web is another service.
    expect(load?.inFlight).toBe(1);
    expect(load && [...load.latency].reduce((x, y) => x + y, 0)).toBe(2);
    expect(quantileOfCounts(load!.latency, 0.95)).toBeCloseTo(300, -1);
    expect(m.load('web')?.inFlight).toBe(1);
    expect(m.load('db')).toBeUndefined();
  });

  it('hands out a copy: later requests do not change a load already taken', () => {
    const m = new Membership(compileRoutes([route('/', 'api')]), NO_CLOCK);
    const before = m.load('api')!;
    m.routes[0]!.stats.begin();
    m.routes[0]!.stats.end(200, false, 5);
    expect([...before.latency].every((c) => c === 0)).toBe(true);
  });

  it('a weighted route: each service gets its own replicas’ figures, not the whole route’s', () => {
    const weighted: GatewayRoute = {
      ...route('/', 'api'),
      balance: 'weighted',
      services: [
        { service: 'api', weight: 9 },
        { service: 'next', weight: 1 },
      ],
    };
    const m = new Membership(compileRoutes([weighted]), NO_CLOCK);
    const replica = (service: string, n: number) => ({
      id: `${service}-${n}`,
      name: `${service}-${n}`,
      service,
      replica: n,
      healthy: true,
      ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 5000 + n }],
    });
    m.setReplicas('api', [replica('api', 1)]);
    // `next` has no replica yet: no load, but a figure.
    expect(m.load('next')).toEqual({ inFlight: 0, latency: expect.any(Uint32Array) });
    m.setReplicas('next', [replica('next', 2)]);
    const ups = [...m.routes[0]!.upstreams.values()];
    ups.find((u) => u.service === 'api')!.stats.begin();
    ups.find((u) => u.service === 'api')!.stats.begin();
    ups.find((u) => u.service === 'next')!.stats.begin();
    expect(m.load('api')?.inFlight).toBe(2);
    expect(m.load('next')?.inFlight).toBe(1);
  });
});
