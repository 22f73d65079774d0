import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Project } from '../../model/project.js';

/** Where a project's supervisor keeps its socket, pid and log: `<project dir>/.orch/<name>/`. */
export function stateDir(project: Project): string {
  return join(project.projectDir, '.orch', project.name);
}

/** The background supervisor's output: narration and one JSON line per event. */
export function supervisorLog(project: Project): string {
  return join(stateDir(project), 'supervisor.log');
}

/**
 * The control socket. Unix socket paths are limited to ~104 bytes, so a deep project folder gets
 * a socket in the temp dir named by a hash of the state dir instead.
 */
export function socketPath(project: Project): string {
  const preferred = join(stateDir(project), 'supervisor.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const hash = createHash('sha256').update(stateDir(project)).digest('hex').slice(0, 12);
  return join(tmpdir(), `orch-${hash}.sock`);
}
