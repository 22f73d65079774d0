import { loadProject, type LoadResult, type ProjectFs } from '../project/index.js';
import { nodeProjectFs } from '../adapters/fs.js';

export interface ProjectFlags {
  readonly file?: string[] | undefined;
  readonly 'project-name'?: string | undefined;
  readonly 'env-file'?: string[] | undefined;
  readonly profile?: string[] | undefined;
}

/** The project as the flags and the environment describe it (throws OrchError on a bad file). */
export function loadFromFlags(flags: ProjectFlags, fs: ProjectFs = nodeProjectFs): Promise<LoadResult> {
  return loadProject(
    {
      cwd: process.cwd(),
      env: process.env,
      ...(flags.file ? { files: flags.file } : {}),
      ...(flags['project-name'] ? { projectName: flags['project-name'] } : {}),
      ...(flags['env-file'] ? { envFiles: flags['env-file'] } : {}),
      ...(flags.profile ? { profiles: flags.profile } : {}),
    },
    fs,
  );
}
