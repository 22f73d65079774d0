import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFolderAtomic } from '../../../src/adapters/scaffold-fs.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('atomic writes', () => {
  it('writes a whole folder, nested files included', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-scaffold-'));
    await writeFolderAtomic(join(root, 'svc'), [
      { path: 'a.txt', content: enc('a') },
      { path: 'public/b.txt', content: enc('b') },
    ]);
    expect(readFileSync(join(root, 'svc/public/b.txt'), 'utf8')).toBe('b');
    expect(readdirSync(root)).toEqual(['svc']);
  });

  it('leaves nothing behind when a file fails halfway (no folder, no temp folder, no new parents)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-scaffold-'));
    const failing = writeFolderAtomic(join(root, 'deep/er/svc'), [
      { path: 'ok.txt', content: enc('first file is written') },
      { path: '../escape.txt', content: enc('second one fails') },
    ]);
    await expect(failing).rejects.toThrow(/escapes its folder/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('replaces a file through a rename, leaving no temp file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-scaffold-'));
    const file = join(root, 'orch.yaml');
    await writeFileAtomic(file, 'one\n');
    await writeFileAtomic(file, 'two\n');
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(readdirSync(root)).toEqual(['orch.yaml']);
  });
});
