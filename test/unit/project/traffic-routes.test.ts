import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toComposeCanonical } from '../../../src/project/index.js';
import { load, project, where } from './helpers.js';

const SERVICES = 'services:\n  api:\n    image: a\n  next:\n    image: b\n';
const routes = (body: string) => `${SERVICES}x-orch:\n  gateway:\n    routes:\n${body}`;

describe('gateway route keys: weighted, retries, breaker', () => {
  it('reads a weighted route, retries and breaker; `service` is the first of `services`', async () => {
    const p = await project(
      routes(
        '      - path: /api\n' +
          '        balance: weighted\n' +
          '        services: [{ service: api, weight: 90 }, { service: next, weight: "10" }]\n' +
          '        port: 3000\n' +
          '        retries: { attempts: 3, per_try_timeout: 500ms, budget: 25% }\n' +
          '        breaker: { consecutive_failures: 4, open_for: 15s }\n',
      ),
    );
    expect(p.orch.gateway?.routes[0]).toMatchObject({
      service: 'api',
      services: [
        { service: 'api', weight: 90 },
        { service: 'next', weight: 10 },
      ],
      balance: 'weighted',
      retries: { attempts: 3, perTryTimeoutMs: 500, budget: 0.25 },
      breaker: { consecutiveFailures: 4, openForMs: 15_000 },
    });
  });

  it('fills defaults for keys left out; no retries or breaker unless asked', async () => {
    const p = await project(
      routes(
        '      - { path: /a, service: api, port: 3000, retries: {}, breaker: {} }\n' +
          '      - { path: /b, service: api, port: 3000 }\n',
      ),
    );
    const [a, b] = p.orch.gateway?.routes ?? [];
    expect(a?.retries).toEqual({ attempts: 2, budget: 0.2 });
    expect(a?.breaker).toEqual({ consecutiveFailures: 5, openForMs: 10_000 });
    expect(b).not.toHaveProperty('retries');
    expect(b).not.toHaveProperty('breaker');
    expect(b).not.toHaveProperty('services');
  });

  it('orch config prints the keys back in the file form, and that reads back the same', async () => {
    const yaml = routes(
      '      - path: /api\n' +
        '        balance: weighted\n' +
        '        services: [{ service: api, weight: 90 }, { service: next, weight: 10 }]\n' +
        '        port: 3000\n' +
        '        retries: { attempts: 1, per_try_timeout: 2s, budget: 20% }\n' +
        '        breaker: { consecutive_failures: 5, open_for: 10s }\n',
    );
    const p = await project(yaml);
    const config = toComposeCanonical(p) as { 'x-orch': { gateway: { routes: unknown[] } } };
    expect(config['x-orch'].gateway.routes[0]).toEqual({
      path: '/api',
      services: [
        { service: 'api', weight: 90 },
        { service: 'next', weight: 10 },
      ],
      port: 3000,
      strip_prefix: false,
      balance: 'weighted',
      retries: { attempts: 1, per_try_timeout: '2s', budget: '20%' },
      breaker: { consecutive_failures: 5, open_for: '10s' },
    });
    const again = await project(stringify(config));
    const strip = (r: object) => ({ ...r, pos: undefined });
    expect(again.orch.gateway?.routes.map(strip)).toEqual(p.orch.gateway?.routes.map(strip));
  });

  it('reads the error-rate form of breaker, with its min_requests default', async () => {
    const p = await project(
      routes(
        '      - { path: /a, service: api, port: 3000, breaker: { error_rate: 50%, open_for: 5s } }\n' +
          '      - { path: /b, service: api, port: 3000, breaker: { error_rate: 25, min_requests: 4 } }\n',
      ),
    );
    const [a, b] = p.orch.gateway?.routes ?? [];
    expect(a?.breaker).toEqual({ consecutiveFailures: 5, openForMs: 5_000, errorRate: 0.5, minRequests: 20 });
    expect(b?.breaker).toEqual({
      consecutiveFailures: 5,
      openForMs: 10_000,
      errorRate: 0.25,
      minRequests: 4,
    });
    const config = toComposeCanonical(p) as { 'x-orch': { gateway: { routes: { breaker: unknown }[] } } };
    expect(config['x-orch'].gateway.routes[1]?.breaker).toEqual({
      consecutive_failures: 5,
      open_for: '10s',
      error_rate: '25%',
      min_requests: 4,
    });
  });

  /** [what, routes yaml, expected line:col and message fragment of each error]. */
  const BAD: [string, string, [string, string][]][] = [
    [
      'a weight of 0',
      '      - { path: /, balance: weighted, services: [{ service: api, weight: 0 }], port: 1 }\n',
      [['9:74', 'weight `0` must be a positive integer']],
    ],
    [
      'a negative weight',
      '      - path: /\n        balance: weighted\n        services: [{ service: api, weight: -5 }]\n        port: 1\n',
      [['11:44', 'weight `-5` must be a positive integer']],
    ],
    [
      'an unknown service in services',
      '      - path: /\n        balance: weighted\n        services: [{ service: api, weight: 1 }, { service: nope, weight: 1 }]\n        port: 1\n',
      [['11:60', 'unknown service `nope`']],
    ],
    [
      'services without balance: weighted',
      '      - path: /\n        services: [{ service: api, weight: 1 }]\n        port: 1\n',
      [['10:9', '`services` splits traffic by weight and needs `balance: weighted`']],
    ],
    [
      'weighted without services',
      '      - { path: /, service: api, balance: weighted, port: 1 }\n',
      [['9:34', '`balance: weighted` needs `services']],
    ],
    [
      'both service and services',
      '      - path: /\n        service: api\n        balance: weighted\n        services: [{ service: api, weight: 1 }]\n        port: 1\n',
      [['12:9', 'either `service` or `services`']],
    ],
    [
      'a service listed twice',
      '      - path: /\n        balance: weighted\n        services: [{ service: api, weight: 1 }, { service: api, weight: 2 }]\n        port: 1\n',
      [['11:60', 'listed twice']],
    ],
    ['neither service nor services', '      - { path: /, port: 1 }\n', [['9:9', 'needs `service`']]],
    [
      'a budget over 100%',
      '      - { path: /, service: api, port: 1, retries: { budget: 150% } }\n',
      [['9:62', 'not a percentage']],
    ],
    [
      'zero consecutive failures and a bad open_for',
      '      - path: /\n        service: api\n        port: 1\n        breaker: { consecutive_failures: 0, open_for: soon }\n',
      [
        ['12:42', 'consecutive_failures `0` must be a positive integer'],
        ['12:55', 'not a duration'],
      ],
    ],
    [
      'min_requests without error_rate',
      '      - { path: /, service: api, port: 1, breaker: { min_requests: 3 } }\n',
      [['9:54', '`min_requests` only applies with `error_rate`']],
    ],
    [
      'an unknown key in retries',
      '      - { path: /, service: api, port: 1, retries: { tries: 3 } }\n',
      [['9:54', 'unknown key `tries`']],
    ],
  ];

  it.each(BAD)('refuses %s at its line and column', async (_what, body, expected) => {
    const r = await load(routes(body));
    expect(r.result).toBeUndefined();
    expect(r.errors.map((e) => [where(e), e.message])).toEqual(
      expected.map(([at, fragment]) => [at, expect.stringContaining(fragment)]),
    );
  });
});
