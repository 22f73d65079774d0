import { describe, expect, it } from 'vitest';
import { toComposeCanonical } from '../../../src/project/index.js';
import { FILE, load, project, where } from './helpers.js';

/** The Compose Specification's `extends` section, example by example (05-services.md#extends). */
describe('extends: the spec examples', () => {
  it('mappings: the main service overrides the referenced one key by key', async () => {
    const p = await project(`services:
  common:
    image: busybox
    environment:
      TZ: utc
      PORT: 80
  cli:
    extends:
      service: common
    environment:
      PORT: 8080
`);
    expect(p.services['cli']?.image).toBe('busybox');
    expect(p.services['cli']?.environment).toEqual({ TZ: 'utc', PORT: '8080' });
  });

  it('mappings: the same output with the array syntax', async () => {
    const p = await project(`services:
  common:
    image: busybox
    environment: [TZ=utc, PORT=80]
  cli:
    extends: { service: common }
    environment: [PORT=8080]
`);
    expect(p.services['cli']?.environment).toEqual({ TZ: 'utc', PORT: '8080' });
  });

  it('volumes merge by target: the new volume and `ro` replace the referenced mount', async () => {
    const p = await project(`services:
  common:
    image: busybox
    volumes:
      - common-volume:/var/lib/backup/data:rw
  cli:
    extends:
      service: common
    volumes:
      - cli-volume:/var/lib/backup/data:ro
volumes:
  common-volume: {}
  cli-volume: {}
`);
    expect(p.services['cli']?.volumes).toEqual([
      { type: 'volume', source: 'cli-volume', target: '/var/lib/backup/data', readOnly: true },
    ]);
  });

  it('chains: cli gets `user` from base through common', async () => {
    const p = await project(`services:
  base:
    image: busybox
    user: root
  common:
    image: busybox
    extends:
      service: base
  cli:
    extends:
      service: common
`);
    expect(p.services['cli']).toMatchObject({ image: 'busybox', user: 'root' });
  });

  it('sequences append without duplicates; command and entrypoint are replaced', async () => {
    const p = await project(`services:
  common:
    image: busybox
    cap_add: [NET_ADMIN]
    ports: ["80"]
    command: [echo, common]
    entrypoint: [/bin/sh, -c]
  cli:
    extends: common
    cap_add: [NET_ADMIN, SYS_TIME]
    ports: ["80", "127.0.0.1:8443:443"]
    command: [echo, cli]
`);
    const cli = p.services['cli'];
    expect(cli?.capAdd).toEqual(['NET_ADMIN', 'SYS_TIME']);
    expect(cli?.ports.map((x) => `${x.published ?? ''}:${x.target}`)).toEqual([':80', '8443:443']);
    expect(cli?.command).toEqual(['echo', 'cli']);
    expect(cli?.entrypoint).toEqual(['/bin/sh', '-c']);
  });

  it('a service that takes its image only from extends is valid (the issue that started this)', async () => {
    const r = await load('services:\n  base:\n    image: redis:7\n  cache:\n    extends: base\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message).join('\n')).not.toMatch(/extends/);
    const cfg = toComposeCanonical(r.result!.project) as { services: Record<string, unknown> };
    expect(cfg.services['cache']).toMatchObject({ image: 'redis:7' });
    expect(cfg.services['cache']).not.toHaveProperty('extends');
  });
});

describe('extends: file, relative paths, errors', () => {
  const common = `services:
  web:
    build: ./app
    env_file: ./web.env
    volumes: ["./data:/data", "/abs:/abs"]
    environment: { FROM: common }
`;

  it('`file:` is read relative to the declaring file; its relative paths resolve against that file', async () => {
    const p = await project(
      'services:\n  web:\n    extends: { file: ../shared/common.yaml, service: web }\n    volumes: ["./local:/local"]\n',
      {},
      { '/shared/common.yaml': common, '/shared/web.env': 'A=1\n' },
    );
    const web = p.services['web'];
    expect(web?.build?.context).toBe('/shared/app');
    expect(web?.environment).toEqual({ A: '1', FROM: 'common' });
    expect(web?.volumes.map((v) => (v.type === 'bind' ? `${v.source}:${v.target}` : v.target))).toEqual([
      '/shared/data:/data',
      '/abs:/abs',
      '/proj/local:/local',
    ]);
  });

  it('a chain across files resolves each link against its own file', async () => {
    const p = await project(
      'services:\n  web:\n    extends: { file: a/mid.yaml, service: mid }\n',
      {},
      {
        '/proj/a/mid.yaml': 'services:\n  mid:\n    extends: { file: ../b/base.yaml, service: base }\n',
        '/proj/b/base.yaml': 'services:\n  base:\n    build: { context: ., dockerfile: Dockerfile.dev }\n',
      },
    );
    expect(p.services['web']?.build).toMatchObject({ context: '/proj/b', dockerfile: 'Dockerfile.dev' });
  });

  it('an unknown service is reported at `extends.service` with a suggestion', async () => {
    const r = await load('services:\n  base:\n    image: a\n  web:\n    extends:\n      service: bsae\n');
    const ext = r.errors.filter((e) => /extends/.test(e.message));
    expect(ext.map((e) => [where(e), e.hint])).toEqual([['6:16', 'did you mean `base`?']]);
  });

  it('a missing file is reported at `extends.file`', async () => {
    const r = await load('services:\n  web:\n    extends: { file: nope.yaml, service: x }\n');
    const ext = r.errors.filter((e) => /extends/.test(e.message));
    expect(ext).toHaveLength(1);
    expect(ext[0]?.message).toMatch(/\/proj\/nope\.yaml does not exist/);
    expect(where(ext[0]!)).toBe('3:22');
  });

  it('a cycle in one file is reported once at each `extends:` in it', async () => {
    const r = await load(`services:
  a:
    image: x
    extends: b
  b:
    extends: c
  c:
    extends: a
`);
    expect(r.errors.map(where)).toEqual(['4:5', '6:5', '8:5']);
    expect(r.errors[0]?.message).toMatch(
      /cycle: a \(compose\.yaml:4\) → b \(compose\.yaml:6\) → c \(compose\.yaml:8\) → a/,
    );
  });

  it('a cycle across files names file:line in every file of it', async () => {
    const r = await load(
      'services:\n  web:\n    extends: { file: other.yaml, service: x }\n',
      {},
      {
        '/proj/other.yaml':
          'services:\n  x:\n    image: a\n    extends: { file: compose.yaml, service: web }\n',
      },
    );
    expect(r.errors.map((e) => `${e.file}:${e.line}`)).toEqual([FILE + ':3', '/proj/other.yaml:4']);
    expect(r.errors[0]?.message).toContain('web (compose.yaml:3) → x (other.yaml:4) → web');
  });
});

/** Cases from compose-go's loader tests (extends_test.go), restated for orch. */
describe('extends: compose-go loader cases', () => {
  it('a base and its same-file extension, both reached from another folder, share its context', async () => {
    const p = await project(
      'services:\n  out-base:\n    extends: { file: sub/compose.yaml, service: base }\n  out-service:\n    extends: { file: sub/compose.yaml, service: service }\n',
      {},
      {
        '/proj/sub/compose.yaml':
          'services:\n  base:\n    build:\n      context: ..\n  service:\n    extends: base\n    build:\n      target: target\n',
      },
    );
    expect(p.services['out-base']?.build?.context).toBe('/proj');
    expect(p.services['out-service']?.build).toMatchObject({ context: '/proj', target: 'target' });
  });

  it('an override file extending the base file’s own service does not duplicate its ports', async () => {
    const base = 'services:\n  test:\n    image: test\n    ports: ["8000"]\n';
    const p = await project(
      base,
      { files: ['/proj/compose.yaml', '/proj/override.yaml'] },
      { '/proj/override.yaml': 'services:\n  test:\n    extends: { file: compose.yaml, service: test }\n' },
    );
    expect(p.services['test']?.ports).toHaveLength(1);
  });
});
