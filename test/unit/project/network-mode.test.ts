import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../../../src/adapters/docker/create-spec.js';
import { containerCreateSpec } from '../../../src/core/engine/container-spec.js';
import type { Project } from '../../../src/model/project.js';
import { toComposeCanonical } from '../../../src/project/index.js';
import { load, project, where } from './helpers.js';

function createOptions(p: Project, service: string) {
  const spec = containerCreateSpec({
    project: p,
    service: p.services[service]!,
    replica: 1,
    image: 'img',
    configHash: 'h',
    files: [],
  });
  return { spec, opts: toCreateOptions(spec) };
}

describe('network_mode', { timeout: 30_000 }, () => {
  const yaml = `name: nm
services:
  db:
    image: redis:7
  sidecar:
    image: busybox
    network_mode: service:db
    expose: ["9000"]
  hosty:
    image: busybox
    network_mode: host
  off:
    image: busybox
    network_mode: none
  other:
    image: busybox
    network_mode: container:some-container
`;

  it('is kept on the model and in `config`; service:NAME depends on NAME as compose infers', async () => {
    const p = await project(yaml);
    expect(p.services['sidecar']?.networkMode).toBe('service:db');
    expect(p.services['sidecar']?.networks).toEqual({});
    expect(p.services['sidecar']?.dependsOn).toEqual({
      db: { condition: 'service_started', restart: true, required: true },
    });
    const cfg = toComposeCanonical(p) as { services: Record<string, Record<string, unknown>> };
    expect(cfg.services['sidecar']).toMatchObject({
      network_mode: 'service:db',
      depends_on: { db: { condition: 'service_started', restart: true, required: true } },
    });
    expect(cfg.services['sidecar']).not.toHaveProperty('networks');
    expect(cfg.services['hosty']?.['network_mode']).toBe('host');
    expect(cfg.services['db']?.['networks']).toEqual({ default: null });
  });

  it('an explicit depends_on on the same service is kept as written', async () => {
    const p = await project(
      'services:\n  db:\n    image: a\n    healthcheck: {test: [CMD, "true"]}\n  s:\n    image: b\n    network_mode: service:db\n    depends_on: {db: {condition: service_healthy}}\n',
    );
    expect(p.services['s']?.dependsOn['db']?.condition).toBe('service_healthy');
  });

  it('the container joins no project network and shares the named namespace', async () => {
    const p = await project(yaml);
    const side = createOptions(p, 'sidecar');
    expect(side.spec.network).toBeUndefined();
    expect(side.opts.HostConfig?.NetworkMode).toBe('container:nm-db-1');
    expect(side.opts.NetworkingConfig?.EndpointsConfig).toEqual({});
    expect(side.opts.HostConfig?.PortBindings).toEqual({});
    expect(side.opts.ExposedPorts).toEqual({});
    expect(createOptions(p, 'hosty').opts.HostConfig?.NetworkMode).toBe('host');
    expect(createOptions(p, 'off').opts.HostConfig?.NetworkMode).toBe('none');
    expect(createOptions(p, 'other').opts.HostConfig?.NetworkMode).toBe('container:some-container');
    const db = createOptions(p, 'db').opts;
    expect(db.HostConfig?.NetworkMode).toBe('nm_default');
    expect(db.NetworkingConfig?.EndpointsConfig).toEqual({ nm_default: { Aliases: ['db'] } });
  });

  it('with `networks` is an error at file:line:col, as compose rejects it', async () => {
    const r = await load('services:\n  a:\n    image: a\n    network_mode: host\n    networks: [default]\n');
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['4:5', 'service `a` declares mutually exclusive `network_mode` and `networks`'],
    ]);
  });

  it('an empty `networks:` beside it is accepted, as in compose', async () => {
    const r = await load('services:\n  a:\n    image: a\n    network_mode: host\n    networks: []\n');
    expect(r.errors).toEqual([]);
    expect(r.result?.project.services['a']?.networks).toEqual({});
  });

  it('service:NAME must name a defined service', async () => {
    const r = await load('services:\n  a:\n    image: a\n    network_mode: "service:nope"\n');
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['4:5', 'service `a` has network_mode `service:nope`, but no service `nope` is defined'],
    ]);
  });

  it('ports cannot be published from a borrowed namespace; host/none only warn', async () => {
    const bad = await load(
      'services:\n  db:\n    image: a\n  s:\n    image: b\n    network_mode: service:db\n    ports: ["80"]\n',
    );
    expect(bad.errors.map(where)).toEqual(['7:5']);
    const host = await load(
      'services:\n  s:\n    image: b\n    network_mode: host\n    ports: ["8080:80"]\n',
    );
    expect(host.errors).toEqual([]);
    expect(host.warnings.map((w) => w.message)).toContain(
      'ports of `s` are not published with network_mode `host` (the engine discards them)',
    );
  });

  it('a dependency cycle through network_mode is reported', async () => {
    const r = await load(
      'services:\n  a:\n    image: a\n    network_mode: service:b\n  b:\n    image: b\n    depends_on: [a]\n',
    );
    expect(r.errors[0]?.message).toMatch(/dependency cycle/);
  });
});

describe('paths the engine reads itself', () => {
  it.each([
    'https://github.com/org/repo.git#main:dir',
    'git@github.com:org/repo.git#v1',
    'github.com/org/repo',
    'git://example.com/repo.git',
    'ssh://git@example.com/repo.git',
    'http://example.com/context.tar.gz',
  ])('build context %s is passed on as written', async (ctx) => {
    const p = await project(
      `services:\n  a:\n    build: "${ctx}"\n  b:\n    build:\n      context: "${ctx}"\n      dockerfile: Dockerfile.x\n`,
    );
    expect(p.services['a']?.build?.context).toBe(ctx);
    expect(p.services['b']?.build).toMatchObject({ context: ctx, dockerfile: 'Dockerfile.x' });
    const cfg = toComposeCanonical(p) as { services: Record<string, { build: { context: string } }> };
    expect(cfg.services['a']?.build.context).toBe(ctx);
  });

  it('a remote context in an included file stays remote', async () => {
    const p = await project(
      'include: [sub/c.yaml]\n',
      {},
      {
        '/proj/sub/c.yaml': 'services:\n  r:\n    build: https://github.com/org/repo.git#main:dir\n',
      },
    );
    expect(p.services['r']?.build?.context).toBe('https://github.com/org/repo.git#main:dir');
  });

  it.each([
    ['C:\\\\data:/data', 'C:\\data', '/data', false],
    ['C:/data:/data:ro', 'C:/data', '/data', true],
    ['d:\\\\x y\\\\z:/z', 'd:\\x y\\z', '/z', false],
  ])('Windows bind source %s is kept as written', async (spec, source, target, ro) => {
    const p = await project(`services:\n  a:\n    image: a\n    volumes: ["${spec}"]\n`);
    expect(p.services['a']?.volumes).toEqual([{ type: 'bind', source, target, readOnly: ro }]);
  });

  it('a Windows long-form bind source is kept too; a one-letter named volume stays a volume', async () => {
    const p = await project(
      'services:\n  a:\n    image: a\n    volumes:\n      - {type: bind, source: "C:\\\\data", target: /data}\n      - v:/v\nvolumes:\n  v: {}\n',
    );
    expect(p.services['a']?.volumes).toEqual([
      { type: 'bind', source: 'C:\\data', target: '/data', readOnly: false },
      { type: 'volume', source: 'v', target: '/v', readOnly: false },
    ]);
  });
});

describe('empty files', () => {
  it.each([
    ['an empty file', ''],
    ['only a comment', '# nothing yet\n'],
    ['an empty mapping', '{}\n'],
    ['no services and nothing else', 'services: {}\n'],
    ['only a name', 'name: x\n'],
  ])('%s is "empty compose file" (exit 2)', async (_n, yaml) => {
    const r = await load(yaml);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/^empty compose file/);
    expect(where(r.errors[0]!)).toBe('1:1');
  });
});

describe('network_mode and what orch reaches through published ports', () => {
  it('an http probe or a gateway route to such a service is an error, an exec probe is fine', async () => {
    const r = await load(`services:
  web:
    image: a
  side:
    image: b
    network_mode: service:web
    x-orch:
      probe: { http: { path: /, port: 80 } }
  ok:
    image: c
    network_mode: host
    x-orch:
      probe: { exec: ["true"] }
x-orch:
  gateway:
    port: 8080
    routes:
      - { path: /, service: side, port: 80 }
`);
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['8:7', '`side` has network_mode `service:web`, so orch cannot reach its http probe port'],
      [
        '18:29',
        'gateway route to `side`, which has network_mode `service:web` and so no port orch can reach',
      ],
    ]);
  });
});
