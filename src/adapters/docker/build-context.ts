import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { tarStream, type TarItem } from './tar.js';
import { parseDockerignore } from '../../core/ignore-patterns.js';

export interface BuildContext {
  readonly stream: AsyncIterable<Buffer>;
  /** The Dockerfile's path inside the archive, for the build's `dockerfile` parameter. */
  readonly dockerfile: string;
}

/**
 * Tars `contextDir` minus what `.dockerignore` excludes. A Dockerfile outside the context (or
 * excluded by it) is added under a generated name, as the Docker CLI does.
 */
export async function buildContext(contextDir: string, dockerfile: string): Promise<BuildContext> {
  const root = path.resolve(contextDir);
  const rules = parseDockerignore(await readFile(path.join(root, '.dockerignore'), 'utf8').catch(() => ''));
  const dockerfileAbs = path.resolve(root, dockerfile);
  const relDockerfile = path.relative(root, dockerfileAbs).split(path.sep).join('/');
  const inside = !relDockerfile.startsWith('../') && !path.isAbsolute(relDockerfile);
  const sendsDockerfile = inside && !rules.matches(relDockerfile);
  const archivedDockerfile = sendsDockerfile
    ? relDockerfile
    : `.orch-dockerfile-${process.pid}-${Date.now()}`;
  // Negations can re-include something under an excluded directory, so only then walk into it.
  const mayReinclude = rules.reincludes;

  async function* walk(dirAbs: string, dirRel: string): AsyncGenerator<TarItem> {
    const names = (await readdir(dirAbs)).sort();
    for (const name of names) {
      const abs = path.join(dirAbs, name);
      const rel = dirRel === '' ? name : `${dirRel}/${name}`;
      const st = await lstat(abs);
      const ignored = rules.matches(rel);
      if (st.isDirectory()) {
        if (!ignored) yield { entry: { name: rel, type: 'dir', mode: st.mode, mtime: st.mtime } };
        if (!ignored || mayReinclude) yield* walk(abs, rel);
      } else if (ignored) {
        continue;
      } else if (st.isSymbolicLink()) {
        yield {
          entry: {
            name: rel,
            type: 'symlink',
            mode: st.mode,
            mtime: st.mtime,
            linkname: await readlink(abs),
          },
        };
      } else if (st.isFile()) {
        yield {
          entry: { name: rel, type: 'file', mode: st.mode, size: st.size, mtime: st.mtime },
          body: createReadStream(abs) as AsyncIterable<Buffer>,
        };
      }
      // Sockets, fifos and devices have no place in a build context.
    }
  }

  async function* items(): AsyncGenerator<TarItem> {
    yield* walk(root, '');
    if (!sendsDockerfile) {
      const content = await readFile(dockerfileAbs);
      yield {
        entry: { name: archivedDockerfile, type: 'file', mode: 0o644, size: content.length },
        body: content,
      };
    }
  }

  return { stream: tarStream(items()), dockerfile: archivedDockerfile };
}
