import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { OrchError } from '../../errors/index.js';
import type { ContainerSnapshot, DockerPort } from '../ports.js';
import { containerCreateSpec } from './container-spec.js';
import { serviceConfigHash } from './config-hash.js';
import type { ReplicaTracker } from './replica-tracker.js';

export type ContainerEvent = {
  type: 'container';
  service: string;
  name: string;
  action: 'created' | 'recreated' | 'reused' | 'started' | 'removed';
};

export interface ReplicaDeps {
  readonly docker: DockerPort;
  readonly readFile: (path: string) => Promise<Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Brings one service's replicas to the wanted count and configuration: a running replica whose
 * config hash matches is reused, a stopped one is started again, a changed one is recreated, and
 * replicas above the count are removed (highest index first).
 */
export async function reconcileService(
  project: Project,
  service: ServiceSpec,
  image: string,
  existing: readonly ContainerSnapshot[],
  tracker: ReplicaTracker,
  deps: ReplicaDeps,
  onEvent: (e: ContainerEvent) => void,
): Promise<void> {
  const files = await serviceFiles(project, service, deps);
  const hash = serviceConfigHash(service, image);
  const byReplica = new Map<number, ContainerSnapshot>();
  for (const c of existing) byReplica.set(Number(c.labels[Label.replica] ?? '0'), c);

  const surplus = existing
    .filter((c) => Number(c.labels[Label.replica] ?? '0') > service.replicas)
    .sort((a, b) => Number(b.labels[Label.replica]) - Number(a.labels[Label.replica]));
  for (const c of surplus) {
    await removeContainer(deps.docker, c, service);
    tracker.forget(c.id);
    onEvent({ type: 'container', service: service.name, name: c.name, action: 'removed' });
  }

  await Promise.all(
    Array.from({ length: service.replicas }, (_, i) => i + 1).map(async (replica) => {
      const old = byReplica.get(replica);
      if (old && old.labels[Label.configHash] === hash) {
        if (old.state === 'running') {
          tracker.track(old);
          onEvent({ type: 'container', service: service.name, name: old.name, action: 'reused' });
          return;
        }
        tracker.track(old);
        await deps.docker.startContainer(old.id);
        tracker.track(await deps.docker.inspectContainer(old.id));
        onEvent({ type: 'container', service: service.name, name: old.name, action: 'started' });
        return;
      }
      if (old) {
        await removeContainer(deps.docker, old, service);
        tracker.forget(old.id);
      }
      const spec = containerCreateSpec({ project, service, replica, image, configHash: hash, files });
      let id: string;
      try {
        id = await deps.docker.createContainer(spec);
      } catch (e) {
        if (e instanceof Error && /Conflict|already in use/i.test(e.message))
          throw new OrchError(
            'STACK_FAILED',
            `container name "${spec.name}" is taken by a container orch did not create`,
            {
              hint: `remove or rename it (docker rm ${spec.name}), or set another container_name`,
              cause: e,
            },
          );
        throw e;
      }
      tracker.track(await deps.docker.inspectContainer(id));
      await deps.docker.startContainer(id);
      tracker.track(await deps.docker.inspectContainer(id));
      onEvent({
        type: 'container',
        service: service.name,
        name: spec.name,
        action: old ? 'recreated' : 'created',
      });
    }),
  );
}

export async function removeContainer(
  docker: DockerPort,
  c: ContainerSnapshot,
  service?: ServiceSpec,
): Promise<void> {
  const grace = service?.stopGracePeriodMs !== undefined ? Math.ceil(service.stopGracePeriodMs / 1000) : 10;
  if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused')
    await docker.stopContainer(c.id, grace);
  // Anonymous volumes go with their container; named volumes stay (`down --volumes` removes those).
  await docker.removeContainer(c.id, { force: true, volumes: true });
}

async function serviceFiles(
  project: Project,
  service: ServiceSpec,
  deps: ReplicaDeps,
): Promise<{ path: string; content: Buffer; mode: number }[]> {
  const out: { path: string; content: Buffer; mode: number }[] = [];
  const kinds = [
    { mounts: service.secrets, defs: project.secrets, kind: 'secret' },
    { mounts: service.configs, defs: project.configs, kind: 'config' },
  ] as const;
  for (const { mounts, defs, kind } of kinds) {
    for (const m of mounts) {
      const def = defs[m.source];
      if (!def) continue;
      let content: Buffer;
      if (def.file) {
        try {
          content = await deps.readFile(def.file);
        } catch {
          throw new OrchError(
            'STACK_FAILED',
            `${kind} "${m.source}" of service "${service.name}": cannot read ${def.file}`,
            {
              hint: `create the file, or fix \`${kind}s.${m.source}.file\` in the project file`,
            },
          );
        }
      } else if (def.environment) {
        content = Buffer.from(deps.env[def.environment] ?? '');
      } else if (def.content !== undefined) {
        content = Buffer.from(def.content);
      } else {
        throw new OrchError(
          'STACK_FAILED',
          `${kind} "${m.source}" is external; orch only mounts file, environment or content ${kind}s`,
        );
      }
      out.push({ path: m.target, content, mode: m.mode ?? 0o444 });
    }
  }
  return out;
}
