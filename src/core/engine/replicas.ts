import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { ReplicaId, ReplicaSnapshot, RuntimePort } from '../runtime/port.js';
import { graceMsOf } from '../runtime/docker.js';
import type { ReplicaTracker } from './replica-tracker.js';

export type ContainerEvent = {
  type: 'container';
  service: string;
  name: string;
  action: 'created' | 'recreated' | 'reused' | 'started' | 'removed';
  /** A host process (`x-orch.process`), not a container: said so where it is shown. */
  onHost?: true;
};

/** A service's replicas made ready to run: created (or kept), not yet started. */
export interface PreparedService {
  readonly service: ServiceSpec;
  readonly runtime: RuntimePort;
  /** Replicas that exist and must be started (new ones, and kept ones that are not running). */
  readonly toStart: readonly {
    snapshot: ReplicaSnapshot;
    fresh: boolean;
    recreated: boolean;
  }[];
}

/**
 * First half of bringing a service to the wanted count and configuration, done as early as
 * possible (before its dependencies are ready, as compose v2 does) so that creating replicas
 * stays off the critical path: a running replica whose config hash matches is kept, a changed one
 * is removed and created anew, surplus replicas are removed (highest index first).
 */
export async function prepareService(
  project: Project,
  service: ServiceSpec,
  existing: readonly ReplicaSnapshot[],
  tracker: ReplicaTracker,
  runtime: RuntimePort,
  onEvent: (e: ContainerEvent) => void,
  /** Make every replica anew even when its hash matches (its namespace provider was replaced). */
  recreate = false,
): Promise<PreparedService> {
  const hash = await runtime.configHash(project, service);
  const byReplica = new Map<number, ReplicaSnapshot>();
  for (const c of existing) byReplica.set(Number(c.labels[Label.replica] ?? '0'), c);

  const surplus = existing
    .filter((c) => Number(c.labels[Label.replica] ?? '0') > service.replicas)
    .sort((a, b) => Number(b.labels[Label.replica]) - Number(a.labels[Label.replica]));
  for (const c of surplus) {
    await removeReplica(runtime, c.id, service);
    tracker.forget(c.id);
    onEvent({
      type: 'container',
      service: service.name,
      name: c.name,
      action: 'removed',
      ...onHost(runtime),
    });
  }

  const toStart = await Promise.all(
    Array.from({ length: service.replicas }, (_, i) => i + 1).map(async (replica) => {
      const old = byReplica.get(replica);
      if (old && !recreate && old.labels[Label.configHash] === hash) {
        if (old.state === 'running') {
          tracker.track(old);
          onEvent({
            type: 'container',
            service: service.name,
            name: old.name,
            action: 'reused',
            ...onHost(runtime),
          });
          return undefined;
        }
        return { snapshot: old, fresh: false, recreated: false };
      }
      if (old) {
        await removeReplica(runtime, old.id, service);
        tracker.forget(old.id);
      }
      const snapshot = await runtime.create(project, service, replica, { configHash: hash });
      return { snapshot, fresh: true, recreated: old !== undefined };
    }),
  );
  return { service, runtime, toStart: toStart.filter((x) => x !== undefined) };
}

/** Second half: start what `prepareService` made, once the service's dependencies are ready. */
export async function startPrepared(
  prepared: PreparedService,
  tracker: ReplicaTracker,
  onEvent: (e: ContainerEvent) => void,
  opts: { alreadyTracked?: boolean } = {},
): Promise<void> {
  await Promise.all(
    prepared.toStart.map(async (c) => {
      await startTracked(c.snapshot, tracker, prepared.runtime, opts);
      const action = c.fresh ? (c.recreated ? 'recreated' : 'created') : 'started';
      onEvent({
        type: 'container',
        service: prepared.service.name,
        name: c.snapshot.name,
        action,
        ...onHost(prepared.runtime),
      });
    }),
  );
}

function onHost(runtime: RuntimePort): { onHost?: true } {
  return runtime.kind === 'process' ? { onHost: true } : {};
}

/**
 * Starts a created replica under the tracker's eye: tracked before the start, so the runtime's
 * start event finds it, and again after, for the ports the start published (probes need them).
 * `alreadyTracked`: the caller tracked it when it was prepared, off the critical path.
 */
export async function startTracked(
  snapshot: ReplicaSnapshot,
  tracker: ReplicaTracker,
  runtime: RuntimePort,
  opts: { alreadyTracked?: boolean } = {},
): Promise<void> {
  if (!opts.alreadyTracked) tracker.track(snapshot);
  await runtime.start(snapshot.id);
  tracker.track(await runtime.inspect(snapshot.id));
}

/** Stops a replica with its service's grace period (10 s without one) and removes it. */
export function removeReplica(runtime: RuntimePort, id: ReplicaId, service?: ServiceSpec): Promise<void> {
  return runtime.remove(id, { graceMs: graceMsOf(service) });
}
