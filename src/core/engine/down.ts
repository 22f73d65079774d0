import type { Project } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { DockerPort } from '../ports.js';
import type { ReplicaSnapshot, Runtimes } from '../runtime/port.js';
import { listAll, runtimeOf } from '../runtime/runtimes.js';
import { graceMsOf } from '../runtime/docker.js';
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
  deps: { readonly docker: DockerPort; readonly runtimes: Runtimes },
): Promise<DownResult> {
  const { docker } = deps;
  await docker.ping();
  const filter = [`${Label.project}=${project.name}`];
  const containers = await listAll(deps.runtimes, project.name);
  const order = stopOrder(project, containers);
  const removed: string[] = [];
  for (const group of order) {
    await Promise.all(
      group.map(async (c) => {
        const svc = project.services[c.labels[Label.service] ?? ''];
        const graceMs = opts.timeoutS !== undefined ? opts.timeoutS * 1000 : graceMsOf(svc);
        await runtimeOf(deps.runtimes, c).remove(c.id, { graceMs });
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
function stopOrder(project: Project, containers: readonly ReplicaSnapshot[]): ReplicaSnapshot[][] {
  const deps = Object.fromEntries(
    Object.values(project.services).map((s) => [s.name, Object.keys(s.dependsOn)] as const),
  );
  const order = topologicalOrder(deps).reverse();
  const byService = (name: string): ReplicaSnapshot[] =>
    containers.filter((c) => c.labels[Label.service] === name);
  const orphans = containers.filter((c) => !((c.labels[Label.service] ?? '') in project.services));
  return [orphans, ...order.map(byService)].filter((g) => g.length > 0);
}
