import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { watch } from 'chokidar';
import type { FsChangeKind, HostFilesPort, WatchPort } from '../core/watch/ports.js';
import type { ProjectFs } from '../project/fs.js';

/** chokidar behind the core's WatchPort: absolute paths in, absolute paths out. */
export const chokidarWatch: WatchPort = {
  watch(paths, opts) {
    const w = watch([...paths], {
      ignoreInitial: true,
      // Judged per path before descending: ignored trees (node_modules) are never walked.
      ignored: (p: string) => opts.ignored(p),
      // Editors that save by rename (vim, JetBrains) would otherwise show as unlink + add.
      atomic: true,
    });
    const kinds: readonly FsChangeKind[] = ['add', 'change', 'unlink', 'addDir', 'unlinkDir'];
    for (const kind of kinds) w.on(kind, (path: string) => opts.onChange({ kind, path }));
    w.on('error', (e: unknown) => opts.onError(e instanceof Error ? e : new Error(String(e))));
    const ready = new Promise<void>((resolve) => w.once('ready', () => resolve()));
    return { ready, close: () => w.close() };
  },
};

export const nodeHostFiles: HostFilesPort = {
  async readFile(path) {
    try {
      const s = await stat(path);
      if (!s.isFile()) return undefined;
      return { content: await readFile(path), mode: s.mode & 0o777 };
    } catch {
      return undefined;
    }
  },
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  async listFiles(dir, ignored) {
    const out: string[] = [];
    const walk = async (p: string): Promise<void> => {
      const s = await lstat(p).catch(() => undefined);
      if (!s || (p !== dir && ignored(p))) return;
      if (s.isFile()) out.push(p);
      else if (s.isDirectory())
        for (const name of (await readdir(p).catch(() => [])).sort()) await walk(join(p, name));
    };
    await walk(dir);
    return out;
  },
};

/** A ProjectFs that remembers which files the loader read, so the watcher can watch exactly those. */
export function recordingFs(base: ProjectFs): { fs: ProjectFs; read: () => string[] } {
  const seen = new Set<string>();
  return {
    fs: {
      readText: (path) => {
        seen.add(path);
        return base.readText(path);
      },
      isFile: (path) => base.isFile(path),
    },
    read: () => [...seen],
  };
}
