import { readFile, stat } from 'node:fs/promises';
import { OrchError } from '../errors/index.js';
import type { ProjectFs } from '../project/fs.js';

/** node:fs implementation of the loader's file port. */
export const nodeProjectFs: ProjectFs = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new OrchError('FILE_UNREADABLE', `cannot read ${path}: ${code ?? String(err)}`, { cause: err });
    }
  },
  async isFile(path) {
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  },
};
