import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the built CLI (`npm run build` first): exit codes, stderr shape, no stack traces.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bad = join(repo, 'test/fixtures/project/bad');
const good = join(repo, 'test/fixtures/project/good/compose.yaml');

function orch(args: string[], cwd = repo) {
  const r = spawnSync(process.execPath, [join(repo, 'bin/run.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TAG: '', GREETING: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CASES: [file: string, where: string, text: string][] = [
  ['unknown-key.yaml', '4:5', 'did you mean `healthcheck`?'],
  ['wrong-type.yaml', '4:12', '`services.web.ports` must be a list'],
  ['yaml-syntax.yaml', '4:1', 'YAML:'],
  ['undefined-dependency.yaml', '5:9', 'undefined service `dbb`'],
  ['cycle.yaml', '4:18', 'dependency cycle: alpha → gamma → beta → alpha'],
  ['healthy-healthcheck-disabled.yaml', '5:7', 'disables its healthcheck and has no x-orch probe'],
  ['port-clash.yaml', '8:9', 'host port 127.0.0.1:8080/tcp is already published by `a`'],
  ['replicas-fixed-port.yaml', '7:9', 'has 3 replicas but publishes fixed host port 8080'],
  ['container-name-replicas.yaml', '5:5', 'fixed container_name'],
  ['unknown-route-service.yaml', '8:18', 'unknown service `apii`'],
  ['undeclared-volume.yaml', '5:9', 'named volume `data` is not declared'],
  ['undeclared-network.yaml', '5:9', 'network `front` is not declared'],
  ['undeclared-secret.yaml', '5:9', 'secret `api_key` is not declared'],
  ['required-variable.yaml', '3:12', 'TAG must be set'],
  ['bad-restart.yaml', '4:14', 'unknown restart policy `sometimes`'],
  ['bad-duration.yaml', '6:17', '`10 seconds` is not a duration'],
  ['orch-probe-typo.yaml', '6:9', 'did you mean `http`?'],
];

describe('orch validate on bad project files', () => {
  it.each(CASES)('%s → exit 2 at %s', (file, where, text) => {
    const path = join(bad, file);
    const r = orch(['validate', '-f', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:${where}: `);
    expect(r.stderr).toContain(text);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('project discovery and output', () => {
  const empty = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('reports PROJECT_NOT_FOUND with exit 2', () => {
    const r = orch(['validate'], empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no project file found');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate prints a one-line success on stderr', () => {
    const r = orch(['validate', '-f', good]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('valid (2 services)');
    expect(r.stdout).toBe('');
  });

  it('config --json prints the canonical shape', () => {
    const r = orch(['config', '--json', '-f', good]);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(cfg['name']).toBe('shop-demo');
    expect(cfg['networks']).toEqual({ default: { name: 'shop-demo_default' } });
    const web = cfg['services'].web;
    expect(web.environment).toEqual({ MODE: 'dev', EMPTY: null });
    expect(web.ports[0]).toEqual({
      mode: 'ingress',
      host_ip: '127.0.0.1',
      target: 80,
      published: '8080',
      protocol: 'tcp',
    });
    expect(web.volumes[1]).toEqual({ type: 'volume', source: 'cache', target: '/var/cache/nginx' });
    expect(web.depends_on).toEqual({ api: { condition: 'service_healthy', required: true } });
    const api = cfg['services'].api;
    expect(api.healthcheck.interval).toBe('1m30s');
    expect(api.healthcheck.timeout).toBe('300ms');
    expect(api.deploy.replicas).toBe(2);
  });

  it('config prints YAML by default and honours -p', () => {
    const r = orch(['config', '-f', good, '-p', 'Other']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: other$/m);
  });

  it('config quotes values a YAML 1.1 reader would take for booleans (restart: "no")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-config-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a:\n    image: busybox\n    restart: "no"\n');
    const r = orch(['config', '-f', join(dir, 'compose.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {4}restart: "no"$/m);
  });
});
