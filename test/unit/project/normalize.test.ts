import { describe, expect, it } from 'vitest';
import { OrchError } from '../../../src/errors/index.js';
import { formatDuration, loadProject, memoryFs, parseDuration } from '../../../src/project/index.js';
import { load, project } from './helpers.js';

const svc = async (body: string, extra: Record<string, string> = {}, top = '') => {
  const p = await project(`services:\n  s:\n${body}${top}`, {}, extra);
  const s = p.services['s'];
  if (!s) throw new Error('no service');
  return { p, s };
};

describe('ports', () => {
  it.each([
    ['"8080:80"', [{ target: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['"0.0.0.0:8080:80/udp"', [{ target: 80, published: '8080', hostIp: '0.0.0.0', protocol: 'udp' }]],
    ['"80"', [{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['3000', [{ target: 3000, hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['"127.0.0.1::80"', [{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp' }]],
    ['"[::1]:8080:80"', [{ target: 80, published: '8080', hostIp: '::1', protocol: 'tcp' }]],
    ['"8000-8010:80"', [{ target: 80, published: '8000-8010', hostIp: '127.0.0.1', protocol: 'tcp' }]],
    [
      '"9000-9001:90-91"',
      [
        { target: 90, published: '9000', hostIp: '127.0.0.1', protocol: 'tcp' },
        { target: 91, published: '9001', hostIp: '127.0.0.1', protocol: 'tcp' },
      ],
    ],
    [
      '{ target: 80, published: 8080, protocol: udp, name: web }',
      [{ target: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'udp', name: 'web' }],
    ],
  ])('%s', async (port, expected) => {
    const { s } = await svc(`    image: a\n    ports:\n      - ${port}\n`);
    expect(s.ports).toEqual(expected);
  });
});

describe('volumes, networks, secrets', () => {
  it('resolves binds, keeps named and anonymous volumes, names top-level resources', async () => {
    const { p, s } = await svc(
      '    image: a\n    volumes:\n      - ./data:/data:ro\n      - db:/db\n      - /anon\n      - { type: tmpfs, target: /tmp }\n    networks: [front]\n    secrets: [key, { source: key, target: other }]\n    configs: [cfg]\n',
      {},
      'volumes:\n  db:\n  ext: { external: true }\nnetworks:\n  front:\n  outside: { name: real }\nsecrets:\n  key: { file: ./key.txt }\nconfigs:\n  cfg: { content: hi }\n',
    );
    expect(s.volumes).toEqual([
      { type: 'bind', source: '/proj/data', target: '/data', readOnly: true },
      { type: 'volume', source: 'db', target: '/db', readOnly: false },
      { type: 'volume', target: '/anon', readOnly: false },
      { type: 'tmpfs', target: '/tmp', readOnly: false },
    ]);
    expect(p.volumes['db']?.name).toBe('proj_db');
    expect(p.volumes['ext']).toEqual({ name: 'ext', external: true, labels: {} });
    expect(p.networks['front']?.name).toBe('proj_front');
    expect(p.networks['outside']?.name).toBe('real');
    expect(p.networks['default']).toBeUndefined();
    expect(s.secrets).toEqual([
      { source: 'key', target: '/run/secrets/key' },
      { source: 'key', target: '/run/secrets/other' },
    ]);
    expect(s.configs).toEqual([{ source: 'cfg', target: '/cfg' }]);
    expect(p.secrets['key']?.file).toBe('/proj/key.txt');
  });

  it('adds the default network when a service uses it', async () => {
    const { p, s } = await svc('    image: a\n');
    expect(s.networks).toEqual({ default: { aliases: [] } });
    expect(p.networks['default']?.name).toBe('proj_default');
  });
});

describe('service fields', () => {
  it('normalizes environment, env_file, command, healthcheck, restart, deploy', async () => {
    const { s } = await svc(
      '    image: a\n    env_file: [a.env, { path: missing.env, required: false }]\n    environment: [B=2, C]\n    command: sh -c "echo hi"\n    entrypoint: ["/bin/run"]\n    healthcheck:\n      test: curl -f x\n      interval: 1m30s\n      timeout: 300ms\n      start_period: 1h\n      retries: 5\n    restart: on-failure:4\n    deploy:\n      replicas: 2\n      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3 }\n    labels: [a=b]\n    stop_grace_period: 10s\n',
      { '/proj/a.env': 'A=1\nB=1\n' },
    );
    expect(s.environment).toEqual({ A: '1', B: '2', C: null });
    expect(s.command).toEqual(['sh', '-c', 'echo hi']);
    expect(s.entrypoint).toEqual(['/bin/run']);
    expect(s.healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f x'],
      disable: false,
      intervalMs: 90_000,
      timeoutMs: 300,
      startPeriodMs: 3_600_000,
      retries: 5,
    });
    expect(s.restart).toEqual({ kind: 'on-failure', maxRetries: 4 });
    expect(s.replicas).toBe(2);
    expect(s.deployRestartPolicy).toEqual({ condition: 'on-failure', delayMs: 5000, maxAttempts: 3 });
    expect(s.labels).toEqual({ a: 'b' });
    expect(s.stopGracePeriodMs).toBe(10_000);
    expect(s.orch).toEqual({ restartOnUnhealthy: true, backoff: { initialMs: 250, maxMs: 30_000 } });
  });

  it('reports a missing required env_file at its line', async () => {
    const r = await load('services:\n  s:\n    image: a\n    env_file: nope.env\n');
    expect(r.errors.map((e) => `${e.line}:${e.col}`)).toEqual(['4:15']);
  });

  it('reads depends_on in both forms with defaults', async () => {
    const p = await project(
      'services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n    depends_on:\n      c: { condition: service_completed_successfully, restart: true, required: false }\n  c:\n    image: c\n',
    );
    expect(p.services['a']?.dependsOn).toEqual({
      b: { condition: 'service_started', restart: false, required: true },
    });
    expect(p.services['b']?.dependsOn['c']).toEqual({
      condition: 'service_completed_successfully',
      restart: true,
      required: false,
    });
  });

  it('builds with context made absolute and Dockerfile by default', async () => {
    const { s } = await svc('    build:\n      context: ./api\n      args: { V: "1" }\n      target: dev\n');
    expect(s.build).toEqual({
      context: '/proj/api',
      dockerfile: 'Dockerfile',
      args: { V: '1' },
      target: 'dev',
    });
  });

  it('disables healthchecks with NONE', async () => {
    const { s } = await svc('    image: a\n    healthcheck: { test: [NONE] }\n');
    expect(s.healthcheck?.disable).toBe(true);
  });
});

describe('x-orch', () => {
  it('applies probe, gateway and smoke defaults', async () => {
    const p = await project(
      'services:\n  api:\n    image: a\n    restart: "no"\n    x-orch:\n      probe: { tcp: { port: 3000 } }\nx-orch:\n  gateway:\n    routes:\n      - { host: api.localhost, service: api, port: 3000 }\n  smoke:\n    - get: /health\n      expect_status: 200\n    - name: migrate\n      exec: { service: api, command: "rake db:check" }\n',
    );
    expect(p.services['api']?.orch).toEqual({
      probe: { kind: 'tcp', port: 3000, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 },
      restartOnUnhealthy: false,
      backoff: { initialMs: 250, maxMs: 30_000 },
    });
    expect(p.orch.gateway).toMatchObject({ port: 8080, host: '127.0.0.1', timeoutMs: 30_000 });
    expect(p.orch.gateway?.routes[0]).toMatchObject({
      host: 'api.localhost',
      stripPrefix: false,
      balance: 'round_robin',
    });
    expect(p.orch.smoke).toEqual([
      {
        kind: 'http',
        name: 'GET /health',
        method: 'GET',
        path: '/health',
        headers: {},
        expectStatus: 200,
        retries: 0,
        timeoutMs: 10_000,
      },
      {
        kind: 'run',
        name: 'migrate',
        command: ['rake', 'db:check'],
        service: 'api',
        retries: 0,
        timeoutMs: 10_000,
      },
    ]);
  });
});

describe('x-orch.gateway limits', () => {
  const gw = (keys: string) =>
    `services:\n  api:\n    image: a\nx-orch:\n  gateway:\n${keys}    routes:\n      - { path: /, service: api, port: 3000 }\n`;

  it('reads header_timeout, max_headers and max_connections; absent ones are left to the gateway', async () => {
    const p = await project(gw('    header_timeout: 5s\n    max_headers: 50\n    max_connections: "200"\n'));
    expect(p.orch.gateway).toMatchObject({ headerTimeoutMs: 5_000, maxHeaders: 50, maxConnections: 200 });
    const d = await project(gw(''));
    expect(d.orch.gateway).not.toHaveProperty('headerTimeoutMs');
    expect(d.orch.gateway).not.toHaveProperty('maxHeaders');
    expect(d.orch.gateway).not.toHaveProperty('maxConnections');
  });

  it('reports a limit that is no positive number at its line', async () => {
    const r = await load(gw('    max_headers: 0\n    header_timeout: soon\n'));
    expect(r.errors.map((e) => `${e.line}:${e.col}`)).toEqual(['6:18', '7:21']);
  });
});

describe('discovery, naming, profiles and merging', () => {
  it('finds compose.yaml in a parent and names the project after its directory', async () => {
    const fs = memoryFs({ '/work/My App!/compose.yaml': 'services:\n  a:\n    image: a\n' });
    const r = await loadProject({ cwd: '/work/My App!/sub/dir', env: {} }, fs);
    expect(r.project.name).toBe('myapp');
    expect(r.project.files).toEqual(['/work/My App!/compose.yaml']);
  });

  it('prefers orch.yaml over compose.yaml', async () => {
    const fs = memoryFs({
      '/p/compose.yaml': 'services: {c: {image: c}}\n',
      '/p/orch.yaml': 'name: o\nservices: {o: {image: o}}\n',
    });
    expect((await loadProject({ cwd: '/p', env: {} }, fs)).project.name).toBe('o');
  });

  it('throws PROJECT_NOT_FOUND when nothing is found', async () => {
    await expect(loadProject({ cwd: '/none', env: {} }, memoryFs({}))).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    await expect(loadProject({ cwd: '/none', env: {} }, memoryFs({}))).rejects.toBeInstanceOf(OrchError);
  });

  it('excludes services whose profiles are not enabled', async () => {
    const yaml = 'services:\n  a:\n    image: a\n  dbg:\n    image: b\n    profiles: [debug]\n';
    expect(Object.keys((await project(yaml)).services)).toEqual(['a']);
    expect(Object.keys((await project(yaml, { profiles: ['debug'] })).services)).toEqual(['a', 'dbg']);
  });

  it('merges -f files the way compose does', async () => {
    const base =
      'services:\n  web:\n    image: a\n    command: one\n    ports: ["80:80"]\n    environment: [A=1, B=1]\n    volumes: ["./x:/data"]\n';
    const over =
      'services:\n  web:\n    image: b\n    command: [two]\n    ports: ["81:81"]\n    environment: { B: "2" }\n    volumes: ["./y:/data"]\n';
    const fs = memoryFs({ '/m/base.yaml': base, '/m/over.yaml': over });
    const { project: p } = await loadProject({ cwd: '/m', files: ['base.yaml', 'over.yaml'], env: {} }, fs);
    const web = p.services['web'];
    expect(web?.image).toBe('b');
    expect(web?.command).toEqual(['two']);
    expect(web?.ports.map((x) => x.published)).toEqual(['80', '81']);
    expect(web?.environment).toEqual({ A: '1', B: '2' });
    expect(web?.volumes).toEqual([{ type: 'bind', source: '/m/y', target: '/data', readOnly: false }]);
  });

  it('keeps positions of the overriding file in errors', async () => {
    const fs = memoryFs({
      '/m/a.yaml': 'services:\n  web:\n    image: a\n',
      '/m/b.yaml': 'services:\n  web:\n    restart: bad\n',
    });
    const err = await loadProject({ cwd: '/m', files: ['a.yaml', 'b.yaml'], env: {} }, fs).catch(
      (e: unknown) => e,
    );
    expect((err as OrchError).diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      '/m/b.yaml:3:14',
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['300ms', 300],
    ['1h', 3_600_000],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['0', 0],
  ])('%s ⇄ %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each([
    [90_000, '1m30s'],
    [300, '300ms'],
    [3_600_000, '1h0m0s'],
    [1500, '1.5s'],
    [0, '0s'],
  ])('%d ms prints as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
  it('rejects text without a unit', () => expect(parseDuration('10 seconds')).toBeUndefined());
});
