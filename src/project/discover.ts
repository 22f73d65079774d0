import { basename, dirname, resolve } from 'node:path';
import { OrchError } from '../errors/index.js';
import type { ProjectFs } from './fs.js';

/** Names looked for in each directory, first match wins (contract §1). */
export const PROJECT_FILE_NAMES = [
  'orch.yaml',
  'orch.yml',
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;

/** Explicit `-f` files (made absolute), else the first project file in cwd or a parent. */
export async function discoverFiles(
  cwd: string,
  files: readonly string[] | undefined,
  fs: ProjectFs,
): Promise<string[]> {
  if (files && files.length > 0) return files.map((f) => resolve(cwd, f));
  let dir = resolve(cwd);
  for (;;) {
    for (const name of PROJECT_FILE_NAMES) {
      const candidate = resolve(dir, name);
      if (await fs.isFile(candidate)) return [candidate];
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new OrchError(
    'PROJECT_NOT_FOUND',
    `no project file found in ${resolve(cwd)} or any parent directory`,
    {
      hint: `create orch.yaml (or compose.yaml) here, or pass -f/--file PATH (looked for ${PROJECT_FILE_NAMES.join(', ')})`,
    },
  );
}

/** Compose's rule: lower-case, keep only [a-z0-9_-]. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

export function defaultProjectName(projectDir: string): string {
  return normalizeProjectName(basename(projectDir));
}
