import { ProcessRuntime, processesDir } from '../adapters/process/index.js';
import type { DockerPort } from '../core/ports.js';
import { DockerRuntime } from '../core/runtime/docker.js';
import type { FileSources } from '../core/runtime/files.js';
import { RuntimeSet } from '../core/runtime/runtimes.js';

/**
 * The runtimes replicas run on: containers, and host processes (`x-orch.process`), whose state
 * lives under the project's directory (`.orch/<project>/processes/`), so they need it.
 */
export function stackRuntimes(docker: DockerPort, files: FileSources, projectDir?: string): RuntimeSet {
  if (projectDir === undefined) return new RuntimeSet([new DockerRuntime(docker, files)]);
  const processes = new ProcessRuntime({ dirOf: (name) => processesDir(projectDir, name) });
  const containers = new DockerRuntime(docker, files, {
    // Containers may be made before the processes they depend on: replica 1's port is promised.
    hostProcessPorts: async (project, services) => {
      const out: Record<string, number> = {};
      for (const name of services) {
        const spec = project.services[name];
        const port = spec && (await processes.portOf(project, spec, 1));
        if (port !== undefined) out[name] = port;
      }
      return out;
    },
  });
  return new RuntimeSet([containers, processes]);
}
