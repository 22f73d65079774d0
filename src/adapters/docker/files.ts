import path from 'node:path';
import type Docker from 'dockerode';
import type { ContainerCreateSpec } from '../../core/ports.js';
import { statusCode } from './engine-errors.js';
import { tarBuffer, type TarItem } from './tar.js';

/**
 * Copies `files` into a created (not yet started) container with one putArchive at `/`. Parent
 * directories that do not exist yet get a directory entry (0755); existing ones get none, because
 * extracting a directory entry over an existing directory would reset its mode (think /tmp).
 */
export async function putFiles(
  container: Docker.Container,
  files: ContainerCreateSpec['files'],
): Promise<void> {
  if (files.length === 0) return;
  const exists = new Map<string, boolean>([['/', true]]);
  const dirExists = async (dir: string): Promise<boolean> => {
    const known = exists.get(dir);
    if (known !== undefined) return known;
    // Below a missing directory nothing exists: no need to ask.
    const parent = path.posix.dirname(dir);
    let found = await dirExists(parent);
    if (found) {
      try {
        // A HEAD answered as a stream: left unread, its socket to the engine stays open and keeps
        // the process alive (orch up --watch hung after Ctrl-C once a sync had run).
        const res = await container.infoArchive({ path: dir });
        discard(res);
      } catch (e) {
        if (statusCode(e) !== 404) throw e;
        found = false;
      }
    }
    exists.set(dir, found);
    return found;
  };

  const items: TarItem[] = [];
  const planned = new Set<string>();
  for (const file of files) {
    const target = path.posix.normalize(file.path);
    if (!target.startsWith('/') || target === '/')
      throw new Error(`file path must be absolute: ${file.path}`);
    const parents: string[] = [];
    for (let dir = path.posix.dirname(target); dir !== '/'; dir = path.posix.dirname(dir))
      parents.unshift(dir);
    for (const dir of parents) {
      if (planned.has(dir) || (await dirExists(dir))) continue;
      planned.add(dir);
      items.push({ entry: { name: dir.slice(1), type: 'dir', mode: 0o755, mtime: new Date() } });
    }
    items.push({
      entry: {
        name: target.slice(1),
        type: 'file',
        mode: file.mode,
        size: file.content.length,
        mtime: new Date(),
      },
      body: file.content,
    });
  }
  discard(await container.putArchive(await tarBuffer(items), { path: '/' }));
}

/** Ends a response stream orch does not read, so its engine connection is released at once. */
function discard(res: unknown): void {
  if (res && typeof res === 'object' && 'destroy' in res && typeof res.destroy === 'function')
    (res as { destroy(): void }).destroy();
}
