import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

// What `npm pack` ships, installed the way a user would (`npm i -g orch-x.y.z.tgz`) into a
// prefix of its own, outside the repository: no dev dependency and none of the repository's
// node_modules can be reached from there. Needs `npm run build` first, as the whole e2e tier does
// (`npm pack` itself would rebuild through `prepack`; --ignore-scripts keeps this test quick).
const work = mkdtempSync(join(tmpdir(), 'orch-pack-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib/node_modules/orch');
const bin = join(prefix, 'bin/orch');
const fixture = join(repoRoot, 'test/fixtures/project/good/compose.yaml');
// The installed copy must not find anything of the repository's through the environment.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_PATH' && !k.startsWith('npm_')),
) as Record<string, string>;

function run(cmd: string, args: readonly string[], cwd = work): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 240_000 });
}

function orch(args: readonly string[]): SpawnSyncReturns<string> {
  return run(bin, args);
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack, then npm i -g of the tarball', () => {
  beforeAll(() => {
    const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], repoRoot);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string }[];
    expect(info?.filename).toMatch(/^orch-.*\.tgz$/);
    const install = run('npm', [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      join(work, info?.filename ?? ''),
    ]);
    expect(install.status, install.stderr).toBe(0);
  }, 300_000);

  it('ships every runtime asset and no dev dependency', () => {
    for (const f of [
      'bin/run.js',
      'oclif.manifest.json',
      'dist/project/schema/compiled.cjs',
      'dist/commands/up.js',
      'templates/node-http/template.yaml',
      'assets/dashboard/index.html',
      'assets/dashboard/app.js',
      'assets/dashboard/app.css',
    ])
      expect(existsSync(join(installed, f)), f).toBe(true);
    const deps = readdirSync(join(installed, 'node_modules'));
    for (const dev of ['typescript', 'vitest', 'eslint', 'prettier']) expect(deps).not.toContain(dev);
    expect(readdirSync(installed).sort()).not.toContain('src');
  });

  it('orch --version and every command module load from the installed copy', () => {
    const v = orch(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^orch\/\d+\.\d+\.\d+ /);
    // Each command's whole import graph (dockerode, chokidar, undici...) resolves there.
    const load = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { readdirSync } from 'node:fs';
         const dir = ${JSON.stringify(join(installed, 'dist/commands'))};
         for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) await import(dir + '/' + f);
         console.log('loaded');`,
      ],
      installed,
    );
    expect(load.status, load.stderr).toBe(0);
    expect(load.stdout.trim()).toBe('loaded');
  });

  it('orch templates lists the built-in templates', () => {
    const r = orch(['templates', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['node-http', 'node-worker', 'static-site']));
  });

  it('orch validate and orch config read a project', () => {
    const v = orch(['validate', '-f', fixture]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toContain('valid (2 services)');
    const c = orch(['config', '--json', '-f', fixture]);
    expect(c.status, c.stderr).toBe(0);
    const cfg = JSON.parse(c.stdout) as { name: string; services: Record<string, unknown> };
    expect(cfg.name).toBe('shop-demo');
    expect(Object.keys(cfg.services).sort()).toEqual(['api', 'web']);
  });

  it('reports a bad project file as usual (exit 2, file:line:col)', () => {
    const bad = join(repoRoot, 'test/fixtures/project/bad/unknown-key.yaml');
    const r = orch(['validate', '-f', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:4:5: `);
  });
});
