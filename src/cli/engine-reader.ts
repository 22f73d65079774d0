import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import type { RuntimeSet } from '../core/runtime/runtimes.js';
import { stackRuntimes } from './runtimes.js';

/**
 * Only what `ps` and `logs` read (kept off the composition root, which loads the gateway and
 * dashboard: these commands start in a fraction of that). Nothing here creates a replica, so no
 * files are read. `projectDir`: where host processes keep their state.
 */
export function engineReader(projectDir: string): { docker: DockerodeAdapter; runtimes: RuntimeSet } {
  const docker = new DockerodeAdapter();
  const files = { readFile: () => Promise.reject(new Error('reads create nothing')), env: {} };
  return { docker, runtimes: stackRuntimes(docker, files, projectDir) };
}
