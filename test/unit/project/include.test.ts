import { describe, expect, it } from 'vitest';
import { toComposeCanonical } from '../../../src/project/index.js';
import { FILE, load, project, where } from './helpers.js';

/** The Compose Specification's `include` section (14-include.md), example by example. */
describe('include', () => {
  const other = `services:
  serviceB:
    build: .
    env_file: ./b.env
    volumes: ["./data:/data"]
networks:
  back: {}
volumes:
  store: {}
`;

  it('short syntax: the included services, networks and volumes join the model, paths resolve against its directory', async () => {
    const r = await load(
      'include:\n  - my/compose.yaml\nservices:\n  serviceA:\n    image: a\n    depends_on: [serviceB]\n',
      {},
      { '/proj/my/compose.yaml': other, '/proj/my/b.env': 'B=1\n' },
    );
    expect(r.errors).toEqual([]);
    const p = r.result!.project;
    expect(Object.keys(p.services).sort()).toEqual(['serviceA', 'serviceB']);
    expect(p.services['serviceB']?.build?.context).toBe('/proj/my');
    expect(p.services['serviceB']?.environment).toEqual({ B: '1' });
    expect(p.services['serviceB']?.volumes[0]).toMatchObject({ source: '/proj/my/data', target: '/data' });
    expect(Object.keys(p.networks).sort()).toEqual(['back', 'default']);
    expect(Object.keys(p.volumes)).toEqual(['store']);
    expect(r.warnings.map((w) => w.message).join('\n')).not.toMatch(/include/);
    const cfg = toComposeCanonical(p) as Record<string, unknown>;
    expect(cfg).not.toHaveProperty('include');
    expect(Object.keys(cfg['services'] as object)).toEqual(['serviceA', 'serviceB']);
  });

  it('its own .env gives defaults; the including project environment wins', async () => {
    const inc = 'services:\n  b:\n    image: "img:${TAG}"\n    environment: { WHO: "${WHO}" }\n';
    const p = await project(
      'include:\n  - sub/compose.yaml\nservices:\n  a:\n    image: a\n',
      { env: { WHO: 'outer' } },
      { '/proj/sub/compose.yaml': inc, '/proj/sub/.env': 'TAG=1.2\nWHO=inner\n' },
    );
    expect(p.services['b']?.image).toBe('img:1.2');
    expect(p.services['b']?.environment).toEqual({ WHO: 'outer' });
  });

  it('long syntax: path list merged, project_directory and env_file relative to the including project', async () => {
    const p = await project(
      `include:
  - path:
      - ../commons/compose.yaml
      - ./commons-override.yaml
    project_directory: ..
    env_file: ../another/.env
services:
  webapp:
    image: w
    depends_on: [included-service]
`,
      {},
      {
        '/commons/compose.yaml': 'services:\n  included-service:\n    image: "x:${V}"\n    build: ./ctx\n',
        '/proj/commons-override.yaml': 'services:\n  included-service:\n    command: [run]\n',
        '/another/.env': 'V=7\n',
      },
    );
    const s = p.services['included-service'];
    expect(s?.image).toBe('x:7');
    expect(s?.command).toEqual(['run']);
    // project_directory `..` from /proj is /, so ./ctx is /ctx.
    expect(s?.build?.context).toBe('/ctx');
  });

  it('includes apply recursively', async () => {
    const p = await project(
      'include: [a/compose.yaml]\nservices:\n  top:\n    image: t\n',
      {},
      {
        '/proj/a/compose.yaml': 'include: [../b/compose.yaml]\nservices:\n  mid:\n    build: .\n',
        '/proj/b/compose.yaml': 'services:\n  leaf:\n    build: .\n',
      },
    );
    expect(Object.keys(p.services).sort()).toEqual(['leaf', 'mid', 'top']);
    expect(p.services['leaf']?.build?.context).toBe('/proj/b');
  });

  it('a resource defined both locally and in the included file conflicts, as in compose', async () => {
    const r = await load(
      'include: [sub/compose.yaml]\nservices:\n  b:\n    image: mine\n',
      {},
      { '/proj/sub/compose.yaml': 'services:\n  b:\n    image: theirs\n' },
    );
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['3:3', '`services.b` conflicts with imported resource (sub/compose.yaml:2)'],
    ]);
  });

  it('an identical definition on both sides is not a conflict', async () => {
    const same = 'services:\n  b:\n    image: same\n';
    const r = await load('include: [sub/compose.yaml]\n' + same, {}, { '/proj/sub/compose.yaml': same });
    expect(r.errors).toEqual([]);
  });

  it('a missing included file is reported at its entry', async () => {
    const r = await load('include:\n  - nope.yaml\nservices:\n  a:\n    image: a\n');
    expect(r.errors.map((e) => [where(e), e.message])).toEqual([
      ['2:5', 'included file /proj/nope.yaml does not exist'],
    ]);
  });

  it('a cycle is reported at the include entry in every file of it', async () => {
    const r = await load(
      'include:\n  - a.yaml\nservices:\n  top:\n    image: t\n',
      {},
      { '/proj/a.yaml': 'services:\n  x:\n    image: x\ninclude:\n  - compose.yaml\n' },
    );
    expect(r.errors.map((e) => `${e.file}:${e.line}`).sort()).toEqual(['/proj/a.yaml:5', `${FILE}:2`]);
    expect(r.errors[0]?.message).toContain('compose.yaml:2 → a.yaml:5');
  });
});

describe('include and extends cycles met from several files', () => {
  it('each cycle is reported once per link, with paths from the project directory', async () => {
    const r = await load(
      'include:\n  - sub/a.yaml\nservices:\n  web:\n    extends: { file: sub/a.yaml, service: x }\n',
      {},
      {
        '/proj/sub/a.yaml':
          'include:\n  - ../compose.yaml\nservices:\n  x:\n    image: busybox\n    extends: { file: ../compose.yaml, service: web }\n',
      },
    );
    expect(r.errors.map((e) => `${e.file}:${e.line} ${e.message}`).sort()).toEqual([
      '/proj/compose.yaml:2 `include` cycle: compose.yaml:2 → sub/a.yaml:2 → back to compose.yaml',
      '/proj/compose.yaml:5 `extends` cycle: web (compose.yaml:5) → x (sub/a.yaml:6) → web (compose.yaml:5)',
      '/proj/sub/a.yaml:2 `include` cycle: compose.yaml:2 → sub/a.yaml:2 → back to compose.yaml',
      '/proj/sub/a.yaml:6 `extends` cycle: web (compose.yaml:5) → x (sub/a.yaml:6) → web (compose.yaml:5)',
    ]);
  });
});
