import { describe, expect, it } from 'vitest';
import type { GatewayRoute } from '../../../src/model/project.js';
import { compileRoutes, hostName, matchRoute, upstreamPath } from '../../../src/core/gateway/index.js';

const pos = { file: 'orch.yaml', line: 1, col: 1 };
const route = (r: Partial<GatewayRoute> & { service: string }): GatewayRoute => ({
  port: 3000,
  stripPrefix: false,
  balance: 'round_robin',
  pos,
  ...r,
});

describe('route matching', () => {
  const table = compileRoutes([
    route({ path: '/', service: 'web' }),
    route({ path: '/api', service: 'api' }),
    route({ path: '/api/admin/', service: 'admin' }),
    route({ host: 'API.localhost', service: 'api-host' }),
    route({ host: 'docs.localhost', path: '/v1', service: 'docs' }),
  ]);
  const svc = (host: string | undefined, url: string) => matchRoute(table, host, url)?.service;

  it('longest prefix on segment boundaries', () => {
    expect(svc(undefined, '/api')).toBe('api');
    expect(svc(undefined, '/api/x')).toBe('api');
    expect(svc(undefined, '/api?q=1')).toBe('api');
    expect(svc(undefined, '/apix')).toBe('web');
    expect(svc(undefined, '/api/admin')).toBe('admin');
    expect(svc(undefined, '/api/admin/users')).toBe('admin');
    expect(svc(undefined, '/api/administrator')).toBe('api');
    expect(svc(undefined, '/')).toBe('web');
    expect(svc(undefined, '/anything/else')).toBe('web');
  });

  it('host routes win, case-insensitive and ignoring the port; then fall back to host-less', () => {
    expect(svc('api.localhost:8080', '/whatever')).toBe('api-host');
    expect(svc('Api.LocalHost', '/api')).toBe('api-host');
    expect(svc('docs.localhost', '/v1/page')).toBe('docs');
    expect(svc('docs.localhost', '/v2')).toBe('web');
    expect(svc('other.localhost', '/api/x')).toBe('api');
  });

  it('labels routes for errors and stats', () => {
    expect(table.routes.map((r) => r.label)).toEqual([
      'docs.localhost/v1',
      'api.localhost',
      '/api/admin',
      '/api',
      '/',
    ]);
  });

  it('no match without a catch-all', () => {
    const t = compileRoutes([route({ path: '/api', service: 'api' })]);
    expect(matchRoute(t, undefined, '/other')).toBeUndefined();
  });

  it('hostName strips ports and IPv6 brackets', () => {
    expect(hostName('[::1]:8080')).toBe('[::1]');
    expect(hostName('Example.COM')).toBe('example.com');
  });
});

describe('strip_prefix', () => {
  const t = compileRoutes([route({ path: '/api', service: 'api', stripPrefix: true })]);
  const r = t.routes[0]!;
  it('removes the prefix, keeping the leading slash and the query', () => {
    expect(upstreamPath(r, '/api')).toBe('/');
    expect(upstreamPath(r, '/api/')).toBe('/');
    expect(upstreamPath(r, '/api/users/1')).toBe('/users/1');
    expect(upstreamPath(r, '/api?x=1')).toBe('/?x=1');
    expect(upstreamPath(r, '/api/u?x=/api')).toBe('/u?x=/api');
  });
  it('leaves the path alone when not asked', () => {
    const keep = compileRoutes([route({ path: '/api', service: 'api' })]).routes[0]!;
    expect(upstreamPath(keep, '/api/x?y')).toBe('/api/x?y');
  });
});
