import type { Project } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { ContainerSnapshot, DockerPort } from '../ports.js';
import { topologicalOrder } from '../graph.js';

export type DownEvent = { type: 'container' | 'network' | 'volume'; name: string; action: 'removed' };

export interface DownOptions {
  readonly removeVolumes: boolean;
  /** Grace before SIGKILL; undefined: each service's stop_grace_period, else 10s. */
  readonly timeoutS?: number;
  readonly onEvent: (e: DownEvent) => void;
}

export interface DownResult {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

/**
 * `orch down`: dependents stop before what they depend on. Only what carries this project's label
 * is touched; named volumes stay unless `removeVolumes`.
 */
export async function downProject(
  project: Project,
  opts: DownOptions,
  docker: DockerPort,
): Promise<DownResult> {
  await docker.ping();
  const filter = [`${Label.project}=${project.name}`];
  const containers = await docker.listContainers(filter, { all: true });
  const order = stopOrder(project, containers);
  const removed: string[] = [];
  for (const group of order) {
    await Promise.all(
      group.map(async (c) => {
        const svc = project.services[c.labels[Label.service] ?? ''];
        const grace =
          opts.timeoutS ??
          (svc?.stopGracePeriodMs !== undefined ? Math.ceil(svc.stopGracePeriodMs / 1000) : 10);
        if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting')
          await docker.stopContainer(c.id, grace).catch(() => undefined);
        await docker.removeContainer(c.id, { force: true, volumes: true });
        removed.push(c.name);
        opts.onEvent({ type: 'container', name: c.name, action: 'removed' });
      }),
    );
  }
  const networks: string[] = [];
  for (const n of await docker.listNetworks(filter)) {
    await docker.removeNetwork(n.name);
    networks.push(n.name);
    opts.onEvent({ type: 'network', name: n.name, action: 'removed' });
  }
  const volumes: string[] = [];
  if (opts.removeVolumes) {
    for (const v of await docker.listVolumes(filter)) {
      await docker.removeVolume(v.name);
      volumes.push(v.name);
      opts.onEvent({ type: 'volume', name: v.name, action: 'removed' });
    }
  }
  return { containers: removed.sort(), networks, volumes };
}

/** Groups of containers to stop together: orphans first, then services in reverse dependency order. */
function stopOrder(project: Project, containers: readonly ContainerSnapshot[]): ContainerSnapshot[][] {
  const deps = Object.fromEntries(
    Object.values(project.services).map((s) => [s.name, Object.keys(s.dependsOn)] as const),
  );
  const order = topologicalOrder(deps).reverse();
  const byService = (name: string): ContainerSnapshot[] =>
    containers.filter((c) => c.labels[Label.service] === name);
  const orphans = containers.filter((c) => !((c.labels[Label.service] ?? '') in project.services));
  return [orphans, ...order.map(byService)].filter((g) => g.length > 0);
}
