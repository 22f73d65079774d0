import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogStorePort } from '../core/logs/store.js';

/** Where a project's log store lives: `<project dir>/.orch/logs/<project name>/`. */
export function logStoreDir(projectDir: string, projectName: string): string {
  return join(projectDir, '.orch', 'logs', projectName);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * node:fs behind LogStorePort. The store hands over whole batches (up to ~1 MiB of lines), so each
 * `append` is one asynchronous write, never one per line. The directory is made on first write.
 */
export function fsLogStore(dir: string): LogStorePort {
  let made: Promise<unknown> | undefined;
  const ensureDir = (): Promise<unknown> => (made ??= mkdir(dir, { recursive: true }));
  const path = (name: string): string => join(dir, name);
  return {
    async size(name) {
      try {
        return (await stat(path(name))).size;
      } catch (err) {
        if (isMissing(err)) return 0;
        throw err;
      }
    },
    async append(name, data) {
      await ensureDir();
      await appendFile(path(name), data, 'utf8');
    },
    async read(name) {
      try {
        return await readFile(path(name), 'utf8');
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async write(name, data) {
      await ensureDir();
      // Write beside, then rename: a reader (or a crash) never sees half a file.
      const tmp = path(`${name}.${process.pid}.tmp`);
      await writeFile(tmp, data, 'utf8');
      await rename(tmp, path(name));
    },
    async rename(from, to) {
      try {
        await rename(path(from), path(to));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },
    async remove(name) {
      await rm(path(name), { force: true });
    },
  };
}
