import type { Project } from '../model/project.js';
import type { StatusRow } from '../core/reconciler/status.js';
import { psProject } from '../core/engine/ps.js';
import { engineReader } from './engine-reader.js';
import { controlClient } from './supervisor-process.js';

/** `orch ps`'s rows: the supervisor knows what the engine does not (restarts, crash loops, waits); ask it first. */
export async function psRows(project: Project): Promise<StatusRow[]> {
  const status = await controlClient(project).statusIfAlive<{ rows: StatusRow[] }>();
  return status ? status.rows : await psProject(project, engineReader(project.projectDir));
}
