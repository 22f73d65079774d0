import type { LoadOptions, LoadResult } from '../project/load.js';
import type { ProjectFs } from '../project/fs.js';
import { nodeProjectFs } from '../adapters/fs.js';
import { loadWithCache } from './project-cache.js';

export interface ProjectFlags {
  readonly file?: string[] | undefined;
  readonly 'project-name'?: string | undefined;
  readonly 'env-file'?: string[] | undefined;
  readonly profile?: string[] | undefined;
}

/**
 * The project as the flags and the environment describe it (throws OrchError on a bad file).
 * From the real file system, through the model cache (project-cache.ts); the loader itself, with
 * yaml and ajv, is imported only when the cache cannot answer.
 */
export function loadFromFlags(flags: ProjectFlags, fs: ProjectFs = nodeProjectFs): Promise<LoadResult> {
  const opts = loadOptionsOf(flags);
  const load = async (o: LoadOptions, f: ProjectFs): Promise<LoadResult> =>
    (await import('../project/load.js')).loadProject(o, f);
  return fs === nodeProjectFs ? loadWithCache(opts, fs, load) : load(opts, fs);
}

/** The loader's options from the project flags, the working directory and the environment. */
export function loadOptionsOf(flags: ProjectFlags): LoadOptions {
  return {
    cwd: process.cwd(),
    env: process.env,
    ...(flags.file ? { files: flags.file } : {}),
    ...(flags['project-name'] ? { projectName: flags['project-name'] } : {}),
    ...(flags['env-file'] ? { envFiles: flags['env-file'] } : {}),
    ...(flags.profile ? { profiles: flags.profile } : {}),
  };
}
