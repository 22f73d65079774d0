import type { DependencyCondition, Project, ServiceSpec } from '../../model/project.js';
import { hasHealthSource } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { OrchError } from '../../errors/index.js';
import type { Clock, DockerPort } from '../ports.js';
import type { ReplicaSnapshot, Runtimes } from '../runtime/port.js';
import { listAll, runtimeOf } from '../runtime/runtimes.js';
import type { FileSources } from '../runtime/files.js';
import { withDependencies } from '../graph.js';
import { scheduleUp, ServiceFailure, type SchedulerEvent, type ServiceRuntime } from '../scheduler.js';
import { ensureResources, networksUsed, volumesUsed, type ResourceEvent } from './resources.js';
import { ImagePreparer, type ImageEvent } from './images.js';
import {
  prepareService,
  removeReplica,
  startPrepared,
  type ContainerEvent,
  type PreparedService,
} from './replicas.js';
import { ReplicaTracker, type ProbeStarter } from './replica-tracker.js';
import { LiveProject } from '../live-project.js';
import { criticalPath, type ServiceTimes, type Timeline } from './timeline.js';
import { failureReport, type FailureReport } from './failure-report.js';

export type UpEvent =
  SchedulerEvent | ImageEvent | ContainerEvent | ResourceEvent | { type: 'orphan'; name: string };

export interface EngineDeps extends FileSources {
  /** The engine itself: images, networks, volumes, and file copies into containers. */
  readonly docker: DockerPort;
  /** What runs replicas (containers, host processes): every replica's lifecycle goes here. */
  readonly runtimes: Runtimes;
  readonly clock: Clock;
  readonly startProbe: ProbeStarter;
}

export interface UpOptions {
  /** Services named on the command line; empty: all. Their dependencies come along. */
  readonly services: readonly string[];
  readonly build: boolean;
  /** Wait until every service is healthy (or done, for jobs), as `--wait`. */
  readonly waitReady: boolean;
  readonly timeoutMs?: number;
  readonly signal: AbortSignal;
  readonly onEvent: (e: UpEvent) => void;
  readonly onBuildLine?: (service: string, line: string) => void;
}

export interface UpResult {
  readonly ok: boolean;
  readonly services: readonly string[];
  readonly failures: readonly FailureReport[];
  readonly timeline: Timeline;
  /** Keeps following the engine until the caller's signal aborts (foreground `up`). */
  readonly tracker: ReplicaTracker;
  /** The project the tracker reads, handed on to the running stack that supervises it. */
  readonly live: LiveProject;
}

/**
 * `orch up`: each service starts the moment its dependencies meet their conditions. Returns when
 * all are started (or ready, with waitReady); the tracker keeps running until `opts.signal` aborts.
 */
export async function upProject(project: Project, opts: UpOptions, deps: EngineDeps): Promise<UpResult> {
  const t0 = deps.clock.now();
  const depMap = Object.fromEntries(
    Object.values(project.services).map((s) => [s.name, Object.keys(s.dependsOn)] as const),
  );
  for (const name of opts.services)
    if (!(name in project.services))
      throw new OrchError('USAGE', `no service named "${name}" in ${project.files[0] ?? 'the project'}`, {
        hint: `services: ${Object.keys(project.services).join(', ')}`,
      });
  const selected = [
    ...withDependencies(depMap, opts.services.length > 0 ? opts.services : Object.keys(project.services)),
  ]
    .filter((s) => s in project.services)
    .sort();

  const { docker, runtimes } = deps;
  // A service no runtime here can run fails `up` before anything was made.
  const runtimeFor = new Map(
    selected.flatMap((n) => {
      const svc = project.services[n];
      return svc ? [[n, runtimes.of(svc)] as const] : [];
    }),
  );
  // One round trip each, all at once: the engine answers them in parallel. Networks and volumes
  // need only exist before containers are created (below, behind `resources`).
  const [, existing] = await Promise.all([docker.ping(), listAll(runtimes, project.name)]);
  const resources = ensureResources(
    project,
    networksUsed(project, selected),
    volumesUsed(project, selected),
    docker,
    opts.onEvent,
  );
  resources.catch(() => undefined);
  // Orphans go in the background: stopping one may take its grace period, and nothing waits on it.
  const orphans = Promise.all(
    existing
      .filter((c) => !((c.labels[Label.service] ?? '') in project.services))
      .map(async (c) => {
        await removeReplica(runtimeOf(runtimes, c), c.id);
        opts.onEvent({ type: 'orphan', name: c.name });
      }),
  );
  orphans.catch(() => undefined);

  const live = new LiveProject(project);
  const tracker = new ReplicaTracker({ runtimes, clock: deps.clock, startProbe: deps.startProbe }, live);
  tracker.follow(project.name, opts.signal);

  const timeout = new AbortController();
  const onOuterAbort = (): void => timeout.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  const timer = opts.timeoutMs
    ? deps.clock.sleep(opts.timeoutMs, timeout.signal).then(
        () => {
          timedOut = true;
          timeout.abort(new Error(`timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s`));
        },
        () => undefined,
      )
    : Promise.resolve();

  const times: Record<string, ServiceTimes> = {};
  const since = (): number => deps.clock.now() - t0;
  const images = new ImagePreparer(project, docker, {
    forceBuild: opts.build,
    onEvent: opts.onEvent,
    ...(opts.onBuildLine ? { onBuildLine: opts.onBuildLine } : {}),
  });
  // Pull/build and create every service's containers at once; starting is what waits on
  // dependencies, so neither image work nor container creation lies on the critical path.
  const byService = groupByService(existing);
  const prepared = new Map<string, Promise<PreparedService>>();
  // Services with a health source; one whose image has a HEALTHCHECK the file keeps joins it once
  // its image is prepared, before it starts (the scheduler reads it after the start).
  const healthGated = new Set(
    selected.filter((s) => project.services[s] && hasHealthSource(project.services[s])),
  );
  const imageRefs = new Map<string, string>();
  // Only where it matters: one more inspect on the way to each start otherwise.
  const awaitedHealthy = new Set(
    selected.flatMap((s) =>
      Object.entries(project.services[s]?.dependsOn ?? {})
        .filter(([, d]) => d.condition === 'service_healthy')
        .map(([dep]) => dep),
    ),
  );
  /** Container creations under way: an interrupted `up` waits for them before it lets go. */
  const creating = new Set<Promise<PreparedService>>();
  for (const name of selected) {
    const svc = project.services[name];
    if (!svc) continue;
    const runtime = runtimeFor.get(name) ?? runtimes.of(svc);
    // A host process has no image.
    const image = runtime.kind === 'container' ? images.prepareWithId(svc) : Promise.resolve(undefined);
    const p = image.then(async (image) => {
      if (image) imageRefs.set(name, image.ref);
      const ask = opts.waitReady || awaitedHealthy.has(name);
      // The image's healthcheck is looked up while networks and volumes are made.
      const [, imageTest] = await Promise.all([
        resources,
        image && ask && !healthGated.has(name) && svc.healthcheck?.disable !== true
          ? docker.imageHealthcheck(image.ref)
          : undefined,
      ]);
      if (imageTest !== undefined) healthGated.add(name);
      // After Ctrl-C nothing new is created (an image finished building meanwhile): the clean-up
      // lists the project's containers once, and must see every one there will ever be.
      opts.signal.throwIfAborted();
      const work = prepareService(
        project,
        svc,
        byService.get(name) ?? [],
        tracker,
        runtime,
        opts.onEvent,
        await providerReplaced(svc, prepared),
      );
      creating.add(work);
      try {
        const done = await work;
        (times[name] ??= {}).created = since();
        // Tracked now, before its dependencies are ready: starting it is then one round trip less.
        for (const c of done.toStart) tracker.track(c.snapshot);
        return done;
      } finally {
        creating.delete(work);
      }
    });
    p.catch(() => undefined);
    prepared.set(name, p);
  }

  // A missing external network fails `up` as a whole, as before; image work went on meanwhile.
  try {
    await resources;
  } catch (e) {
    tracker.close();
    opts.signal.removeEventListener('abort', onOuterAbort);
    timeout.abort();
    throw e;
  }

  const runtime: ServiceRuntime = {
    start: async (name) => {
      const ready = prepared.get(name);
      if (!ready) throw new Error(`unknown service ${name}`);
      await startPrepared(await ready, tracker, opts.onEvent, { alreadyTracked: true });
      (times[name] ??= {}).started = since();
    },
    waitFor: async (name, condition: DependencyCondition, signal) => {
      if (condition === 'service_healthy' && !healthGated.has(name) && project.services[name]?.replicas !== 0)
        throw new ServiceFailure(name, noHealthSource(project, name, imageRefs.get(name)));
      await tracker.waitFor(name, condition, signal);
      const t = (times[name] ??= {});
      // With --wait the scheduler reports readiness itself; without, say it where a dependent
      // waited on it, so progress shows `db: healthy` before `api: starting`.
      if (!opts.waitReady && t.ready === undefined && condition !== 'service_started')
        opts.onEvent({
          type: 'ready',
          service: name,
          condition: condition === 'service_healthy' ? 'healthy' : 'completed',
        });
      t.ready ??= since();
    },
  };

  const jobs = new Set<string>();
  for (const s of selected)
    for (const [dep, d] of Object.entries(project.services[s]?.dependsOn ?? {}))
      if (d.condition === 'service_completed_successfully') jobs.add(dep);

  let outcome;
  try {
    outcome = await scheduleUp(
      {
        services: selected,
        dependsOn: Object.fromEntries(selected.map((s) => [s, project.services[s]?.dependsOn ?? {}])),
        healthGated,
        jobs,
      },
      runtime,
      { signal: timeout.signal, waitReady: opts.waitReady, onEvent: opts.onEvent },
    );
  } catch (e) {
    if (!timedOut) {
      await Promise.allSettled([...creating]);
      // Interrupted or failed: nobody takes the tracker over, and its start checks (an exec every
      // start interval) would keep the process alive after the clean-up removed the containers.
      tracker.close();
      throw e;
    }
    outcome = undefined;
  } finally {
    opts.signal.removeEventListener('abort', onOuterAbort);
    if (!timeout.signal.aborted) timeout.abort();
    await timer;
  }

  await orphans;
  const failedServices = new Map<string, string>();
  if (outcome) {
    for (const [name, o] of Object.entries(outcome.services)) {
      if (o.state === 'failed') failedServices.set(name, o.reason);
      if (o.state === 'skipped') failedServices.set(name, `not started: ${o.because}`);
    }
  } else {
    for (const name of selected)
      if (times[name]?.ready === undefined && (opts.waitReady || times[name]?.started === undefined))
        failedServices.set(name, `not ready after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s (--timeout)`);
  }
  // With --wait, a service that started and then crashed is a failure too (unless it is a job that finished).
  if (opts.waitReady)
    for (const r of tracker.all())
      if ((r.state === 'exited' || r.state === 'dead') && r.exitCode !== 0 && !failedServices.has(r.service))
        failedServices.set(r.service, `${r.name} exited with code ${r.exitCode ?? '?'}`);

  const failures = await Promise.all(
    [...failedServices].map(([name, reason]) => failureReport(name, reason, tracker)),
  );
  const timeline: Timeline = {
    totalMs: since(),
    services: times,
    criticalPath: criticalPath(project, times),
  };
  return { ok: failures.length === 0, services: selected, failures, timeline, tracker, live };
}

/** Why a service_healthy dependency on `name` can never be met: no health source anywhere. */
function noHealthSource(project: Project, name: string, image: string | undefined): string {
  const waiting = Object.values(project.services)
    .filter((s) => s.dependsOn[name]?.condition === 'service_healthy')
    .map((s) => `\`${s.name}\``);
  const who = waiting.length === 1 ? `${waiting.join('')} waits` : `${waiting.join(', ')} wait`;
  const from = image === undefined ? 'its image' : `its image \`${image}\``;
  return (
    `${who} for \`${name}\` to be healthy, but neither the project file nor ${from} defines a ` +
    `healthcheck for \`${name}\`; add a healthcheck or x-orch.probe to \`${name}\`, or use ` +
    'condition: service_started'
  );
}

/**
 * `network_mode: service:X` binds the container to X's container id when it starts: if X got a
 * new container in this run, the old namespace is gone and the borrower must be made anew too,
 * as compose does. (Runs after the loop has registered every service's preparation.)
 */
async function providerReplaced(
  svc: ServiceSpec,
  prepared: ReadonlyMap<string, Promise<PreparedService>>,
): Promise<boolean> {
  const mode = svc.networkMode;
  if (mode === undefined || !mode.startsWith('service:')) return false;
  const provider = prepared.get(mode.slice('service:'.length));
  if (!provider) return false;
  const done = await provider.catch(() => undefined);
  return done?.toStart.some((c) => c.fresh) ?? false;
}

function groupByService(cs: readonly ReplicaSnapshot[]): Map<string, ReplicaSnapshot[]> {
  const out = new Map<string, ReplicaSnapshot[]>();
  for (const c of cs) {
    const s = c.labels[Label.service] ?? '';
    const list = out.get(s) ?? [];
    list.push(c);
    out.set(s, list);
  }
  return out;
}
