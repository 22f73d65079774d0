import { join, resolve } from 'node:path';
import { readTemplates } from '../../../src/adapters/scaffold-fs.js';
import type { Template } from '../../../src/core/scaffold/index.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const fixtures = join(repoRoot, 'test/fixtures/scaffold');

export async function builtin(name: string): Promise<Template> {
  const set = await readTemplates([{ dir: join(repoRoot, 'templates'), source: 'builtin' }]);
  const t = set.templates.find((x) => x.manifest.name === name);
  if (!t) throw new Error(`no built-in template ${name}`);
  return t;
}
