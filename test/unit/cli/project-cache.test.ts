import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWithCache } from '../../../src/cli/project-cache.js';
import { nodeProjectFs } from '../../../src/adapters/fs.js';
import { loadProject, type LoadOptions } from '../../../src/project/load.js';

const yaml = `
services:
  db:
    image: busybox:latest
    environment: { PASSWORD: "\${DB_PASSWORD:-dev}", TAG: "\${TAG}" }
    healthcheck: { test: ["CMD", "true"], interval: 1s }
  web:
    image: busybox:\${WEB_TAG:-1}
    depends_on: { db: { condition: service_healthy } }
    ports: ["8080:80"]
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'orch-cache-'));
  writeFileSync(join(dir, 'compose.yaml'), yaml);
  let loads = 0;
  const load = (o: LoadOptions, fs: typeof nodeProjectFs) => {
    loads++;
    return loadProject(o, fs);
  };
  const run = (env: Record<string, string> = {}) =>
    loadWithCache({ cwd: dir, env: { TAG: 't', ...env } }, nodeProjectFs, load);
  return { dir, run, loads: () => loads };
}

describe('the resolved-model cache', () => {
  it('answers the second load from .orch/.cache with the same model, without running the loader', async () => {
    const s = setup();
    const first = await s.run();
    expect(s.loads()).toBe(1);
    const second = await s.run();
    expect(s.loads()).toBe(1);
    // A JSON round trip loses nothing of the model.
    expect(second).toEqual(first);
    const [file] = readdirSync(join(s.dir, '.orch', '.cache'));
    expect(file).toMatch(/^model-[0-9a-f]{16}\.json$/);
    // It holds interpolated values: its owner's only.
    expect(statSync(join(s.dir, '.orch', '.cache', file!)).mode & 0o077).toBe(0);
    rmSync(s.dir, { recursive: true });
  });

  it('loads again when the file, a .env beside it, or a variable it used changes', async () => {
    const s = setup();
    await s.run();
    writeFileSync(join(s.dir, 'compose.yaml'), `${yaml}\n# edited\n`);
    await s.run();
    expect(s.loads()).toBe(2);
    // A .env that did not exist before is an input too.
    writeFileSync(join(s.dir, '.env'), 'WEB_TAG=2\n');
    const withEnv = await s.run();
    expect(s.loads()).toBe(3);
    expect(withEnv.project.services['web']?.image).toBe('busybox:2');
    const changed = await s.run({ DB_PASSWORD: 'secret' });
    expect(s.loads()).toBe(4);
    expect(changed.project.services['db']?.environment['PASSWORD']).toBe('secret');
    // A variable the file never mentions changes nothing.
    await s.run({ DB_PASSWORD: 'secret', UNRELATED: 'x' });
    expect(s.loads()).toBe(4);
    rmSync(s.dir, { recursive: true });
  });

  it('never caches a failed load, and a deleted or corrupt cache only costs a load', async () => {
    const s = setup();
    writeFileSync(join(s.dir, 'compose.yaml'), 'services: { web: { image: 1 } }\n');
    await expect(s.run()).rejects.toThrow(/problem/);
    await expect(s.run()).rejects.toThrow(/problem/);
    expect(s.loads()).toBe(2);
    writeFileSync(join(s.dir, 'compose.yaml'), yaml);
    await s.run();
    const cacheDir = join(s.dir, '.orch', '.cache');
    for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), '{not json');
    const again = await s.run();
    expect(s.loads()).toBe(4);
    expect(again.project.services['web']?.image).toBe('busybox:1');
    rmSync(s.dir, { recursive: true });
  });
});
