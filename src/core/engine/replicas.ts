import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { OrchError } from '../../errors/index.js';
import type { ContainerId, ContainerSnapshot, DockerPort } from '../ports.js';
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

/** A service's replicas made ready to run: created (or kept), not yet started. */
export interface PreparedService {
  readonly service: ServiceSpec;
  /** Containers that exist and must be started (new ones, and kept ones that are not running). */
  readonly toStart: readonly { id: string; name: string; fresh: boolean; recreated: boolean }[];
}

/**
 * First half of bringing a service to the wanted count and configuration, done as early as
 * possible (before its dependencies are ready, as compose v2 does) so that creating containers
 * stays off the critical path: a running replica whose config hash matches is kept, a changed one
 * is removed and created anew, surplus replicas are removed (highest index first).
 */
export async function prepareService(
  project: Project,
  service: ServiceSpec,
  image: { readonly ref: string; readonly id: string },
  existing: readonly ContainerSnapshot[],
  tracker: ReplicaTracker,
  deps: ReplicaDeps,
  onEvent: (e: ContainerEvent) => void,
  /** Make every replica anew even when its hash matches (its namespace provider was replaced). */
  recreate = false,
): Promise<PreparedService> {
  const files = await serviceFiles(project, service, deps);
  const hash = serviceConfigHash(service, image.id);
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

  const toStart = await Promise.all(
    Array.from({ length: service.replicas }, (_, i) => i + 1).map(async (replica) => {
      const old = byReplica.get(replica);
      if (old && !recreate && old.labels[Label.configHash] === hash) {
        if (old.state === 'running') {
          tracker.track(old);
          onEvent({ type: 'container', service: service.name, name: old.name, action: 'reused' });
          return undefined;
        }
        return { id: old.id, name: old.name, fresh: false, recreated: false };
      }
      if (old) {
        await removeContainer(deps.docker, old, service);
        tracker.forget(old.id);
      }
      const created = await createReplica(project, service, replica, image.ref, hash, files, deps.docker);
      return { ...created, fresh: true, recreated: old !== undefined };
    }),
  );
  return { service, toStart: toStart.filter((x) => x !== undefined) };
}

/** Creates one replica's container (not started); a name taken by a stranger is a clear error. */
export async function createReplica(
  project: Project,
  service: ServiceSpec,
  replica: number,
  image: string,
  hash: string,
  files: readonly { path: string; content: Buffer; mode: number }[],
  docker: DockerPort,
): Promise<{ id: string; name: string }> {
  const spec = containerCreateSpec({ project, service, replica, image, configHash: hash, files });
  try {
    return { id: await docker.createContainer(spec), name: spec.name };
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
}

/** Second half: start what `prepareService` made, once the service's dependencies are ready. */
export async function startPrepared(
  prepared: PreparedService,
  tracker: ReplicaTracker,
  docker: DockerPort,
  onEvent: (e: ContainerEvent) => void,
  opts: { alreadyTracked?: boolean } = {},
): Promise<void> {
  await Promise.all(
    prepared.toStart.map(async (c) => {
      await startTracked(c.id, tracker, docker, opts);
      const action = c.fresh ? (c.recreated ? 'recreated' : 'created') : 'started';
      onEvent({ type: 'container', service: prepared.service.name, name: c.name, action });
    }),
  );
}

/**
 * Starts a created container under the tracker's eye: tracked before the start, so the engine's
 * start event finds it, and again after, for the ports the start published (probes need them).
 * `alreadyTracked`: the caller tracked it when it was prepared, off the critical path.
 */
export async function startTracked(
  id: ContainerId,
  tracker: ReplicaTracker,
  docker: DockerPort,
  opts: { alreadyTracked?: boolean } = {},
): Promise<void> {
  if (!opts.alreadyTracked) tracker.track(await docker.inspectContainer(id));
  await docker.startContainer(id);
  tracker.track(await docker.inspectContainer(id));
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

export async function serviceFiles(
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
