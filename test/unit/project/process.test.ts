import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../../../src/adapters/docker/create-spec.js';
import { containerCreateSpec, serviceUrlVar } from '../../../src/core/engine/container-spec.js';
import { gatewayEnvOf } from '../../../src/core/engine/process-env.js';
import type { Project } from '../../../src/model/project.js';
import { toComposeCanonical } from '../../../src/project/index.js';
import { load, project, where } from './helpers.js';

const specFile = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/corpus/compose-spec/compose-spec.json',
);

const yaml = `name: hp
services:
  web:
    x-orch:
      process:
        command: npm run dev
        cwd: ./web
        port: 3000
        reload: self
    environment: { NODE_ENV: development }
    deploy: { replicas: 2 }
  worker:
    x-orch:
      process:
        command: [node, worker.js]
    expose: ["9000"]
  api:
    image: busybox
    depends_on: [web]
`;

describe('x-orch.process', () => {
  it('normalizes to a ProcessSpec: cwd against the project dir (default: the dir), port from expose', async () => {
    const p = await project(yaml);
    expect(p.services['web']?.orch.process).toEqual({
      command: 'npm run dev',
      cwd: '/proj/web',
      port: 3000,
      reload: 'self',
    });
    expect(p.services['web']?.replicas).toBe(2);
    expect(p.services['worker']?.orch.process).toEqual({
      command: ['node', 'worker.js'],
      cwd: '/proj',
      port: 9000,
    });
    expect(p.services['api']?.orch.process).toBeUndefined();
  });

  it('`orch config` shows it', async () => {
    const cfg = toComposeCanonical(await project(yaml)) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(cfg.services['web']?.['x-orch']).toMatchObject({
      process: { command: 'npm run dev', cwd: '/proj/web', port: 3000, reload: 'self' },
    });
    expect(cfg.services['worker']?.['x-orch']).toMatchObject({ process: { command: ['node', 'worker.js'] } });
    expect(cfg.services['api']?.['x-orch']).not.toHaveProperty('process');
  });

  it('beside image or build is kept: the process is how it runs locally, `orch config` prints both', async () => {
    const text = `services:
  a:
    image: busybox
    x-orch:
      process: { command: "true" }
  b:
    build: .
    x-orch:
      process: { command: [node, b.js], port: 3000 }
`;
    const r = await load(text);
    expect(r.errors).toEqual([]);
    const p = await project(text);
    expect(p.services['a']).toMatchObject({ image: 'busybox', orch: { process: { command: 'true' } } });
    expect(p.services['b']?.build?.context).toBe('/proj');
    expect(p.services['b']?.orch.process).toMatchObject({ command: ['node', 'b.js'], port: 3000 });
    const cfg = toComposeCanonical(p) as { services: Record<string, Record<string, unknown>> };
    expect(cfg.services['a']).toMatchObject({ image: 'busybox', 'x-orch': { process: { command: 'true' } } });
    expect(cfg.services['b']).toMatchObject({
      build: { context: '/proj' },
      'x-orch': { process: { port: 3000 } },
    });
  });

  it('a cwd outside the project directory is an error at its value', async () => {
    for (const cwd of ['..', '../elsewhere', '/tmp', './a/../../b']) {
      const r = await load(
        `services:\n  a:\n    x-orch:\n      process:\n        command: run\n        cwd: ${cwd}\n`,
      );
      expect(r.errors.map((e) => [where(e), e.message])).toEqual([
        ['6:14', `the cwd \`${cwd}\` of host process \`a\` is outside the project directory`],
      ]);
    }
    expect(
      (await load('services:\n  a:\n    x-orch:\n      process: { command: run, cwd: ./a/../b }\n')).errors,
    ).toEqual([]);
  });

  it('an empty command is an error; a missing one a schema error', async () => {
    for (const command of ['""', '[]', '"  "']) {
      const r = await load(`services:\n  a:\n    x-orch:\n      process:\n        command: ${command}\n`);
      expect(r.errors.map((e) => [where(e), e.message])).toEqual([
        ['5:18', 'the command of host process `a` is empty'],
      ]);
    }
    const missing = await load('services:\n  a:\n    x-orch:\n      process: { cwd: . }\n');
    expect(missing.errors.length).toBeGreaterThan(0);
    const unknown = await load('services:\n  a:\n    x-orch:\n      process: { command: x, cmd: y }\n');
    expect(unknown.errors.map((e) => e.message).join('\n')).toMatch(/cmd/);
  });

  it('a service with neither image, build nor process still says so', async () => {
    const r = await load('services:\n  a:\n    environment: { A: b }\n');
    expect(r.errors.map((e) => e.message)).toEqual(['service `a` has neither `image` nor `build`']);
  });

  it.skipIf(!existsSync(specFile))('the file still validates against the compose-spec schema', () => {
    const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
    delete spec['$schema'];
    const validate = new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile(spec);
    expect(validate(parse(yaml)), JSON.stringify(validate.errors)).toBe(true);
    const beside = 'services:\n  b:\n    build: .\n    x-orch:\n      process: { command: [node, b.js] }\n';
    expect(validate(parse(beside)), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('containers of a project with host processes', () => {
  const withProcess = `name: mix
services:
  web-front:
    x-orch:
      process: { command: npm run dev, port: 3000 }
  api:
    image: busybox
    depends_on: [web-front]
  own:
    image: busybox
    depends_on: [web-front]
    environment: { ORCH_WEB_FRONT_URL: http://elsewhere }
  hosty:
    image: busybox
    network_mode: host
`;
  const spec = (p: Project, service: string, ports?: Record<string, number>) =>
    containerCreateSpec({
      project: p,
      service: p.services[service]!,
      replica: 1,
      image: 'img',
      configHash: 'h',
      files: [],
      ...(ports ? { hostProcessPorts: ports } : {}),
    });

  it('reach the host as host.docker.internal, and each host-process dependency through ORCH_<SERVICE>_URL', async () => {
    const p = await project(withProcess);
    const api = spec(p, 'api', { 'web-front': 41234 });
    expect(api.extraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(api.env).toContain('ORCH_WEB_FRONT_URL=http://host.docker.internal:41234');
    expect(toCreateOptions(api).HostConfig?.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
    // the service's own value wins; no port known yet: no variable
    expect(spec(p, 'own', { 'web-front': 41234 }).env).toEqual(['ORCH_WEB_FRONT_URL=http://elsewhere']);
    expect(spec(p, 'api').env).toEqual([]);
    // the host's own network needs no alias
    expect(spec(p, 'hosty').extraHosts).toBeUndefined();
    expect(serviceUrlVar('web.front-2')).toBe('ORCH_WEB_FRONT_2_URL');
  });

  it('a project without host processes is unchanged', async () => {
    const p = await project('services:\n  api:\n    image: busybox\n');
    expect(spec(p, 'api').extraHosts).toBeUndefined();
    expect(toCreateOptions(spec(p, 'api')).HostConfig).not.toHaveProperty('ExtraHosts');
  });
});

describe('host processes reaching containers through the gateway', () => {
  const text = (gateway: string) => `name: mix
services:
  web:
    x-orch:
      process: { command: node server.js, port: 3000 }
    depends_on: [api, auth-svc, db, admin, split, other-proc, own]
  api: { image: busybox }
  auth-svc: { image: busybox }
  db: { image: busybox }
  admin: { image: busybox }
  split: { image: busybox }
  own: { image: busybox }
  other-proc:
    x-orch:
      process: { command: node other.js, port: 4000 }
  lone:
    x-orch:
      process: { command: node lone.js }
    environment: { ORCH_GATEWAY_URL: http://mine }
    depends_on: [api]
${gateway}`;
  const gateway = `x-orch:
  gateway:
    port: 8080
    routes:
      - { path: /api/, service: api, port: 3000 }
      - { path: /auth, service: auth-svc, port: 3000, strip_prefix: true }
      - { host: admin.local, service: admin, port: 3000 }
      - { path: /split, balance: weighted, services: [{ service: split, weight: 50 }, { service: api, weight: 50 }], port: 3000 }
      - { path: /other, service: other-proc, port: 4000 }
      - { path: /own, service: own, port: 3000 }
      - { path: /, service: web, port: 3000 }
`;

  it('per container dependency with a route of its own: ORCH_<SERVICE>_URL, the gateway address plus its prefix', async () => {
    const p = await project(
      text(gateway).replace(
        'depends_on: [api, auth-svc, db, admin, split, other-proc, own]',
        'depends_on: [api, auth-svc, db, admin, split, other-proc, own]\n    environment: { ORCH_OWN_URL: http://kept }',
      ),
    );
    expect(gatewayEnvOf(p, p.services['web']!, 41000)).toEqual({
      ORCH_GATEWAY_URL: 'http://127.0.0.1:41000',
      ORCH_API_URL: 'http://127.0.0.1:41000/api',
      ORCH_AUTH_SVC_URL: 'http://127.0.0.1:41000/auth',
      // db: no route; admin: matched by Host; split: weighted; other-proc: a host process; own: its own value
    });
    // the service's own ORCH_GATEWAY_URL wins
    expect(gatewayEnvOf(p, p.services['lone']!, 41000)).toEqual({
      ORCH_API_URL: 'http://127.0.0.1:41000/api',
    });
  });

  it('nothing without a served gateway, nor before its port is known', async () => {
    const p = await project(text(gateway));
    expect(gatewayEnvOf(p, p.services['web']!, undefined)).toEqual({});
    expect(gatewayEnvOf(p, p.services['web']!, 0)).toEqual({});
    const none = await project(text(''));
    expect(gatewayEnvOf(none, none.services['web']!, 8080)).toEqual({});
  });

  it('a wildcard bind is reached over loopback; another address as it is', async () => {
    for (const [host, url] of [
      ['0.0.0.0', 'http://127.0.0.1:8080'],
      ['::', 'http://[::1]:8080'],
      ['10.1.2.3', 'http://10.1.2.3:8080'],
      ['fd00::1', 'http://[fd00::1]:8080'],
    ] as const) {
      const p = await project(
        text(gateway.replace('    port: 8080\n', `    port: 8080\n    host: "${host}"\n`)),
      );
      expect(gatewayEnvOf(p, p.services['web']!, 8080)['ORCH_GATEWAY_URL']).toBe(url);
    }
  });
});
