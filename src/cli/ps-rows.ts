import type { Project } from '../model/project.js';
import type { StatusRow } from '../core/session/status.js';
import { psProject } from '../core/engine/ps.js';
import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import { controlClient } from './supervisor-process.js';

/** `orch ps`'s rows: the supervisor knows what the engine does not (restarts, crash loops, waits); ask it first. */
export async function psRows(project: Project): Promise<StatusRow[]> {
  const client = controlClient(project);
  return (await client.alive())
    ? (await client.call<{ rows: StatusRow[] }>('GET', '/status')).rows
    : await psProject(project, new DockerodeAdapter());
}
