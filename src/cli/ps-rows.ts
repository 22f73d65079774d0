import type { Project } from '../model/project.js';
import type { StatusRow } from '../core/session/status.js';
import { psProject } from '../core/engine/ps.js';
import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import type { RuntimeSet } from '../core/runtime/runtimes.js';
import { stackRuntimes } from './runtimes.js';
import { controlClient } from './supervisor-process.js';

/** `orch ps`'s rows: the supervisor knows what the engine does not (restarts, crash loops, waits); ask it first. */
export async function psRows(project: Project): Promise<StatusRow[]> {
  const status = await controlClient(project).statusIfAlive<{ rows: StatusRow[] }>();
  return status ? status.rows : await psProject(project, engineReader(project.projectDir));
}

/**
 * Only what `ps` reads (kept off the composition root, which loads the gateway and dashboard:
 * `orch ps` starts in a fraction of that). Nothing here creates a replica, so no files are read.
 */
function engineReader(projectDir: string): { docker: DockerodeAdapter; runtimes: RuntimeSet } {
  const docker = new DockerodeAdapter();
  const files = { readFile: () => Promise.reject(new Error('ps creates nothing')), env: {} };
  return { docker, runtimes: stackRuntimes(docker, files, projectDir) };
}
