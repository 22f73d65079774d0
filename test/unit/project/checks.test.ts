import { describe, expect, it } from 'vitest';
import { load, where } from './helpers.js';

/** [name, yaml, expected [line:col, message fragment] for every error]. */
const CASES: [string, string, [string, string][]][] = [
  [
    'unknown key with a suggestion',
    'services:\n  web:\n    image: nginx\n    healtcheck: {}\n',
    [['4:5', 'unknown key `healtcheck` in services.web']],
  ],
  ['unknown top-level key', 'service:\n  web: {}\n', [['1:1', 'unknown key `service`']]],
  [
    'wrong type',
    'services:\n  web:\n    image: [nginx]\n',
    [['3:12', '`services.web.image` must be a string']],
  ],
  [
    'undefined dependency',
    'services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_started\n',
    [['5:7', 'depends on undefined service `db`']],
  ],
  [
    'cycle',
    'services:\n  alpha:\n    image: a\n    depends_on: [gamma]\n  beta:\n    image: b\n    depends_on: [alpha]\n  gamma:\n    image: c\n    depends_on: [beta]\n',
    [['4:18', 'dependency cycle: alpha → gamma → beta → alpha']],
  ],
  [
    'service_healthy on a service whose healthcheck is disabled',
    'services:\n  web:\n    image: a\n    depends_on:\n      db: { condition: service_healthy }\n  db:\n    image: b\n    healthcheck: { disable: true }\n',
    [['5:7', '`db` disables its healthcheck and has no x-orch probe']],
  ],
  [
    'same host port twice',
    'services:\n  a:\n    image: a\n    ports: ["127.0.0.1:80:80"]\n  b:\n    image: b\n    ports: ["80:81"]\n',
    [['7:13', 'host port 127.0.0.1:80/tcp is already published by `a`']],
  ],
  [
    'fixed port with replicas',
    'services:\n  a:\n    image: a\n    scale: 2\n    ports: ["80:80"]\n',
    [['5:13', 'has 2 replicas but publishes fixed host port 80']],
  ],
  [
    'container_name with replicas',
    'services:\n  a:\n    image: a\n    container_name: xy\n    deploy: { replicas: 2 }\n',
    [['4:5', 'fixed container_name']],
  ],
  [
    'route to an unknown service',
    'services:\n  a:\n    image: a\nx-orch:\n  gateway:\n    routes:\n      - { path: /, service: b, port: 80 }\n',
    [['7:29', 'unknown service `b`']],
  ],
  [
    'undeclared volume',
    'services:\n  a:\n    image: a\n    volumes: ["v:/data"]\n',
    [['4:15', 'named volume `v`']],
  ],
  [
    'undeclared network',
    'services:\n  a:\n    image: a\n    networks: { n: {} }\n',
    [['4:17', 'network `n`']],
  ],
  [
    'undeclared config',
    'services:\n  a:\n    image: a\n    configs:\n      - source: c\n',
    [['5:17', 'config `c`']],
  ],
  ['bad port', 'services:\n  a:\n    image: a\n    ports: ["80:80:80:80"]\n', [['4:13', 'invalid port']]],
  [
    'x-orch unknown key',
    'services:\n  a:\n    image: a\nx-orch:\n  gatway: {}\n',
    [['5:3', 'unknown key `gatway` in x-orch']],
  ],
];

describe('validation errors are all reported, each at file:line:col', () => {
  it.each(CASES)('%s', async (_name, yaml, expected) => {
    const r = await load(yaml);
    expect(r.errors.map((e) => where(e))).toEqual(expected.map((e) => e[0]));
    expected.forEach(([, msg], i) => expect(r.errors[i]?.message).toContain(msg));
  });

  it('accepts service_healthy on a service with no healthcheck in the file: its image may have one', async () => {
    const r = await load(
      'services:\n  web:\n    image: a\n    depends_on:\n      db: { condition: service_healthy }\n  db:\n    image: postgres\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.result?.project.services['web']?.dependsOn['db']?.condition).toBe('service_healthy');
  });

  it('accepts service_healthy on a disabled healthcheck when the service has no replicas', async () => {
    const r = await load(
      'services:\n  web:\n    image: a\n    depends_on:\n      db: { condition: service_healthy }\n  db:\n    image: b\n    deploy: { replicas: 0 }\n    healthcheck: { disable: true }\n',
    );
    expect(r.errors).toEqual([]);
  });

  it('suggests the closest key', async () => {
    const r = await load('services:\n  web:\n    image: nginx\n    healtcheck: {}\n');
    expect(r.errors[0]?.hint).toBe('did you mean `healthcheck`?');
  });

  it('lists several problems at once', async () => {
    const yaml =
      'services:\n  web:\n    image: nginx\n    restart: sometimes\n    depends_on: [nope]\n    volumes: ["v:/x"]\n';
    const r = await load(yaml);
    expect(r.errors.map(where)).toEqual(['4:14', '5:18', '6:15']);
  });

  it('warns once per key orch does not run, at its line', async () => {
    const r = await load(
      'services:\n  web:\n    image: nginx\n    platform: linux/amd64\n    logging: { driver: none }\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [where(w), w.message])).toEqual([
      ['4:5', '`services.web.platform` is not supported by orch and is ignored'],
      ['5:5', '`services.web.logging` is not supported by orch and is ignored'],
    ]);
  });

  it('allows x-* keys where compose does', async () => {
    const r = await load('x-common: &c\n  image: nginx\nservices:\n  web:\n    <<: *c\n    x-note: hi\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.result?.project.services['web']?.image).toBe('nginx');
  });

  it('turns YAML syntax errors into diagnostics with a position', async () => {
    const r = await load('services:\n  web:\n    image: "unclosed\n');
    expect(r.errors[0]?.message).toMatch(/^YAML: /);
    expect(r.errors[0]?.line).toBeGreaterThan(0);
  });
});
