import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, corpusFiles, goldenDir, load, renderAll, repo } from './render.js';

/** `UPDATE_GOLDEN=1 npx vitest run test/unit/export` rewrites the files after a deliberate change. */
const update = process.env['UPDATE_GOLDEN'] === '1';

async function check(dir: string, file: string, base: string): Promise<void> {
  const out = await renderAll(await load(file), base);
  for (const [name, text] of Object.entries(out)) {
    const golden = join(goldenDir, dir, name);
    if (update) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(existsSync(golden), `${golden} missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text, `${dir}/${name}`).toBe(readFileSync(golden, 'utf8'));
  }
}

describe('export golden files', () => {
  it('the example stack (examples/shop)', async () => {
    await check('shop', join(repo, 'examples/shop/orch.yaml'), repo);
  });

  it('autoscaled services (test/fixtures/autoscale): an HPA where the target translates', async () => {
    await check('autoscale', join(repo, 'test/fixtures/autoscale/orch.yaml'), repo);
  });

  const files = corpusFiles();
  describe.skipIf(files.length === 0)('every awesome-compose file (skipped: ../shared absent)', () => {
    it.each(files.map((f) => [f.name, f] as const))('%s', async (_n, f) => {
      await check(join('awesome-compose', f.name), f.file, corpusDir);
    });
  });
});
