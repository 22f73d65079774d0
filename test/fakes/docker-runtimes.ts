import type { DockerPort } from '../../src/core/ports.js';
import { DockerRuntime } from '../../src/core/runtime/docker.js';
import { RuntimeSet } from '../../src/core/runtime/runtimes.js';

/**
 * The stack's runtimes over a partial in-memory DockerPort: the real DockerRuntime in front of
 * whatever engine calls a test scripts (events, inspect, list, exec).
 */
export function dockerRuntimes(docker: Partial<DockerPort>): RuntimeSet {
  const files = { readFile: () => Promise.reject(new Error('no files in this test')), env: {} };
  return new RuntimeSet([new DockerRuntime(docker as DockerPort, files)]);
}
