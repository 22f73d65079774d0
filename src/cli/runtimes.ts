import { ProcessRuntime, freePort, processesDir } from '../adapters/process/index.js';
import type { DockerPort } from '../core/ports.js';
import { hasHostProcesses } from '../core/engine/container-spec.js';
import { DockerRuntime } from '../core/runtime/docker.js';
import type { FileSources } from '../core/runtime/files.js';
import { RuntimeSet } from '../core/runtime/runtimes.js';
import type { Project } from '../model/project.js';

/** Whether this orch serves the gateway, and on which port when a flag says (`--gateway-port`). */
export interface ServedGateway {
  readonly port?: number;
}

/**
 * The runtimes replicas run on: containers, and host processes (`x-orch.process`), whose state
 * lives under the project's directory (`.orch/<project>/processes/`), so they need it. `gateway`:
 * set when this orch serves the gateway, whose address host processes are given.
 */
export function stackRuntimes(
  docker: DockerPort,
  files: FileSources,
  projectDir?: string,
  gateway?: ServedGateway,
): RuntimeSet {
  if (projectDir === undefined) return new RuntimeSet([new DockerRuntime(docker, files)]);
  const processes = new ProcessRuntime({
    dirOf: (name) => processesDir(projectDir, name),
    ...(gateway
      ? {
          gatewayPort: (project: Project) =>
            project.orch.gateway && (gateway.port ?? project.orch.gateway.port),
        }
      : {}),
  });
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

/**
 * The `--gateway-port` to run with, settled before anything starts. A host process is told the
 * gateway's address when it is created, before the gateway listens, so `0` (any free port) is
 * chosen here, once, for the processes, the gateway and a background supervisor alike. Without
 * host processes the flag goes on unchanged (the gateway picks its own port for `0`).
 */
export async function settleGatewayPort(
  project: Project,
  flags: { readonly noGateway: boolean; readonly port: number | undefined },
): Promise<number | undefined> {
  if (flags.port !== 0 || flags.noGateway || project.orch.gateway === undefined) return flags.port;
  return hasHostProcesses(project) ? freePort() : 0;
}
