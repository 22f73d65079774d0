import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import { systemClock } from '../adapters/clock.js';
import { SwarmAdapter } from '../adapters/swarm.js';
import {
  assertManager,
  deploySwarm,
  type SwarmDeployEvent,
  type SwarmDeployResult,
} from '../core/swarm/deploy.js';
import type { SwarmPort, SwarmTask } from '../core/swarm/ports.js';
import type { Project } from '../model/project.js';
import { yamlDocument } from '../ui/export-view.js';
import { exportInput } from './export.js';
import { ensureGatewayImage } from './swarm-gateway-image.js';

/** The swarm adapter (the composition root for `--target swarm`). */
export function swarmPort(): SwarmPort {
  return new SwarmAdapter();
}

/** `orch deploy --target swarm`: real adapters wired to the core's deploy. */
export async function deployToSwarm(
  project: Project,
  orchRoot: string,
  opts: { push?: string; timeoutMs: number; onEvent: (e: SwarmDeployEvent) => void; signal?: AbortSignal },
): Promise<SwarmDeployResult> {
  const docker = new DockerodeAdapter();
  await docker.ping();
  return deploySwarm(
    await exportInput(project),
    {
      swarm: swarmPort(),
      docker,
      clock: systemClock,
      gatewayImage: () => ensureGatewayImage(orchRoot, docker),
      render: yamlDocument,
    },
    opts,
  );
}

/** `orch down --target swarm`: the stack, and with `volumes` its named volumes. */
export async function removeSwarmStack(
  stack: string,
  volumes: boolean,
): Promise<{ services: number; networks: number; volumes: string[] }> {
  const swarm = swarmPort();
  await assertManager(swarm);
  const removed = await swarm.removeStack(stack);
  return { ...removed, volumes: volumes ? await swarm.removeStackVolumes(stack) : [] };
}

/** `orch ps --target swarm`: the stack's tasks. */
export async function swarmTasks(stack: string): Promise<SwarmTask[]> {
  const swarm = swarmPort();
  await assertManager(swarm);
  return swarm.tasks(stack);
}
