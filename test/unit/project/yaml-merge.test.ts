import { describe, expect, it } from 'vitest';
import { MAX_EXPANDED_NODES } from '../../../src/project/aliases.js';
import { load, project, where } from './helpers.js';

const OVERRIDE = '/proj/compose.override.yaml';
const files = ['/proj/compose.yaml', OVERRIDE];

/** The spec's merge section (13-merge.md): `!reset` and `!override` in an override file. */
describe('!reset and !override', () => {
  const base =
    'services:\n  app:\n    image: myapp\n    ports:\n      - "8080:80"\n    environment:\n      FOO: BAR\n      KEEP: yes\n';

  it('!reset removes what the earlier file set (the spec example)', async () => {
    const p = await project(
      base,
      { files },
      {
        [OVERRIDE]:
          'services:\n  app:\n    image: myapp\n    ports: !reset []\n    environment:\n      FOO: !reset null\n',
      },
    );
    expect(p.services['app']?.ports).toEqual([]);
    expect(p.services['app']?.environment).toEqual({ KEEP: 'yes' });
  });

  it('!reset null on a list that the schema wants as a list is not a schema error', async () => {
    const r = await load(base, { files }, { [OVERRIDE]: 'services:\n  app:\n    ports: !reset null\n' });
    expect(r.errors).toEqual([]);
    expect(r.result?.project.services['app']?.ports).toEqual([]);
  });

  it('!override replaces instead of appending (the spec example)', async () => {
    const p = await project(
      base,
      { files },
      {
        [OVERRIDE]: 'services:\n  app:\n    ports: !override\n      - "8443:443"\n',
      },
    );
    expect(p.services['app']?.ports.map((x) => `${x.published ?? ''}:${x.target}`)).toEqual(['8443:443']);
  });

  it('without the tag the same override appends, per the sequence rule', async () => {
    const p = await project(
      base,
      { files },
      { [OVERRIDE]: 'services:\n  app:\n    ports:\n      - "8443:443"\n' },
    );
    expect(p.services['app']?.ports).toHaveLength(2);
  });

  it('!override on a mapping drops the earlier keys', async () => {
    const p = await project(
      base,
      { files },
      {
        [OVERRIDE]: 'services:\n  app:\n    environment: !override\n      ONLY: this\n',
      },
    );
    expect(p.services['app']?.environment).toEqual({ ONLY: 'this' });
  });

  it('neither tag warns', async () => {
    const r = await load(
      base,
      { files },
      { [OVERRIDE]: 'services:\n  app:\n    ports: !reset []\n    environment: !override {A: b}\n' },
    );
    expect(r.warnings).toEqual([]);
  });
});

describe('YAML aliases', () => {
  it('a file with thousands of alias uses loads', async () => {
    const services = Array.from(
      { length: 1500 },
      (_, i) => `  s${i}:\n    <<: *svc\n    environment: *env\n    labels: *labels\n`,
    ).join('');
    const yaml = `x-svc: &svc\n  image: busybox\n  restart: "no"\nx-env: &env\n  A: "1"\n  B: "2"\nx-labels: &labels\n  team: core\nservices:\n${services}`;
    const p = await project(yaml);
    expect(Object.keys(p.services)).toHaveLength(1500);
    expect(p.services['s1499']).toMatchObject({ image: 'busybox', environment: { A: '1', B: '2' } });
  }, 60_000);

  it('a billion-laughs bomb is refused with a message, not a crash', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const yaml = `x-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\nservices:\n  web:\n    image: busybox\n`;
    const r = await load(yaml);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/alias bomb/);
    expect(r.errors[0]?.message).toContain(MAX_EXPANDED_NODES.toLocaleString('en'));
    expect(r.errors[0]?.line).toBeGreaterThan(1);
  });

  it('an alias to an unknown anchor is an error at the alias', async () => {
    const r = await load('services:\n  web:\n    image: busybox\n    environment: *nope\n');
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['4:18', 'YAML: alias *nope names no anchor defined before it'],
    ]);
  });

  it('a recursive alias is an error', async () => {
    const r = await load('x: &a [1, *a]\nservices:\n  web:\n    image: busybox\n');
    expect(r.errors[0]?.message).toMatch(/refers to a node that contains it/);
  });
});

/** Cases from compose-go's loader tests (reset_test.go), restated for orch. */
describe('compose-go reset cases', () => {
  const base =
    'name: t\nservices:\n  a:\n    image: alpine\nnetworks:\n  test:\n    name: test\n    external: true\n';

  it('`!reset {}` removes a whole network', async () => {
    const p = await project(base, { files }, { [OVERRIDE]: 'networks:\n  test: !reset {}\n' });
    expect(p.networks['test']).toBeUndefined();
  });

  it('`!override {}` replaces it with an empty definition (no longer external)', async () => {
    const p = await project(base, { files }, { [OVERRIDE]: 'networks:\n  test: !override {}\n' });
    expect(p.networks['test']).toMatchObject({ name: 't_test', external: false });
  });

  it('an anchor reused by another service is not a cycle; a merge key into its own anchor is', async () => {
    await expect(project('services:\n  a: &a\n    image: alpine\n  a2: *a\n')).resolves.toBeDefined();
    const r = await load(
      'x-healthcheck: &healthcheck\n  egress-service:\n    <<: *healthcheck\nservices:\n  a:\n    image: alpine\n',
    );
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['3:9', 'YAML: alias *healthcheck refers to a node that contains it'],
    ]);
  });
});
