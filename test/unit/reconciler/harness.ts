import type { GatewayRoute, Project, ServiceSpec } from '../../../src/model/project.js';
import type { DockerPort } from '../../../src/core/ports.js';
import { EventBus } from '../../../src/core/events/bus.js';
import { LiveProject } from '../../../src/core/live-project.js';
import { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import { prepareService, startPrepared } from '../../../src/core/engine/replicas.js';
import { RuntimeSet, listAll } from '../../../src/core/runtime/runtimes.js';
import {
  Reconciler,
  type LedgerEntry,
  type RestartLedger,
  type RotationPort,
} from '../../../src/core/reconciler/index.js';
import type { RotationReplica } from '../../../src/core/reconciler/membership.js';
import type { OrchEvent } from '../../../src/model/events.js';
import { FakeClock, FakeReplicaRuntime } from '../../fakes/index.js';
import { project, service, type SvcOpts } from '../supervisor/helpers.js';

/** A service with a Docker healthcheck (the fake runtime's scripted health answers it). */
export function checked(name: string, o: SvcOpts = {}): ServiceSpec {
  return {
    ...service(name, o),
    healthcheck: { test: ['CMD', 'true'], intervalMs: 30_000, disable: false },
  };
}

/** A service the gateway routes to (container port 80, an ephemeral host port). */
export function routed(spec: ServiceSpec): ServiceSpec {
  return { ...spec, ports: [{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp' }] };
}

export function withRoutes(p: Project, services: readonly string[]): Project {
  const routes: GatewayRoute[] = services.map((s) => ({
    path: `/${s}`,
    service: s,
    port: 80,
    stripPrefix: false,
    balance: 'round_robin',
    pos: { file: '/proj/compose.yaml', line: 1, col: 1 },
  }));
  return { ...p, orch: { ...p.orch, gateway: { port: 0, host: '127.0.0.1', timeoutMs: 30_000, routes } } };
}

/** The gateway as the reconciler drives it: every membership it was told, in order. */
export class FakeGateway implements RotationPort {
  readonly sets: { at: number; service: string; healthy: string[]; all: string[] }[] = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly log?: string[],
  ) {}
  setReplicas(service: string, replicas: readonly RotationReplica[]): void {
    const healthy = replicas.filter((r) => r.healthy).map((r) => r.id);
    const before = this.healthy(service);
    this.sets.push({ at: this.clock.now(), service, healthy, all: replicas.map((r) => r.id) });
    for (const id of before) if (!healthy.includes(id)) this.log?.push(`out ${id}`);
    for (const id of healthy) if (!before.includes(id)) this.log?.push(`in ${id}`);
  }
  setRoutes(): void {}
  setListener(): Promise<{ host: string; port: number }> {
    return Promise.resolve({ host: '127.0.0.1', port: 0 });
  }
  /** The replica ids in rotation now. */
  healthy(service: string): string[] {
    return this.sets.filter((s) => s.service === service).at(-1)?.healthy ?? [];
  }
}

export class MemoryLedger implements RestartLedger {
  entries = new Map<string, LedgerEntry>();
  load(): ReadonlyMap<string, LedgerEntry> {
    return new Map(this.entries);
  }
  save(entries: ReadonlyMap<string, LedgerEntry>): void {
    this.entries = new Map(entries);
  }
}

/** The engine calls the reconciler makes besides replicas: images present, networks made, renames. */
export function engineFor(runtime: FakeReplicaRuntime): DockerPort {
  const known: Partial<DockerPort> = {
    imageId: () => Promise.resolve('sha256:1'),
    renameContainer: (id: string, name: string) => Promise.resolve(runtime.rename(id, name)),
  };
  return new Proxy(known, {
    get: (target, key: string) =>
      (target as Record<string, unknown>)[key] ?? (() => Promise.resolve(undefined)),
  }) as DockerPort;
}

export interface Stack {
  readonly clock: FakeClock;
  readonly runtime: FakeReplicaRuntime;
  readonly live: LiveProject;
  readonly tracker: ReplicaTracker;
  readonly reconciler: Reconciler;
  readonly gateway: FakeGateway;
  readonly events: OrchEvent[];
  readonly log: string[];
  readonly ledger: MemoryLedger;
  readonly signal: AbortSignal;
  eventsOf<T extends OrchEvent['type']>(type: T): Extract<OrchEvent, { type: T }>[];
  /** A new supervisor for the same replicas (kill -9 and `up -d`): adopts them by label. */
  restartSupervisor(): Promise<Stack>;
  close(): void;
}

/**
 * A running stack on the fake runtime and the virtual clock: the project's replicas created and
 * started as `up` does, then handed to a reconciler (with a gateway when the project routes).
 */
export async function runStack(
  p: Project,
  setup: (runtime: FakeReplicaRuntime) => void = () => undefined,
  shared?: { clock: FakeClock; runtime: FakeReplicaRuntime; ledger: MemoryLedger },
): Promise<Stack> {
  const clock = shared?.clock ?? new FakeClock();
  const runtime = shared?.runtime ?? new FakeReplicaRuntime(clock);
  if (!shared) setup(runtime);
  const ledger = shared?.ledger ?? new MemoryLedger();
  const log: string[] = [];
  const remove = runtime.remove.bind(runtime);
  runtime.remove = (id, o) => {
    log.push(`remove ${id}`);
    return remove(id, o);
  };
  const runtimes = new RuntimeSet([runtime]);
  const live = new LiveProject(p);
  const lifetime = new AbortController();
  const tracker = new ReplicaTracker({ runtimes, clock, startProbe: () => Promise.resolve() }, live);
  tracker.follow(p.name, lifetime.signal);
  if (shared) for (const r of await listAll(runtimes, p.name)) tracker.track(r);
  else
    for (const spec of Object.values(p.services)) {
      const prepared = await prepareService(p, spec, [], tracker, runtime, () => undefined);
      await startPrepared(prepared, tracker, () => undefined);
    }
  const bus = new EventBus(clock);
  const events: OrchEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const gateway = new FakeGateway(clock, log);
  const reconciler = new Reconciler(
    live,
    tracker,
    { docker: engineFor(runtime), runtimes, clock },
    { events: bus, ...(p.orch.gateway ? { gateway } : {}), ledger, random: () => 0 },
  );
  reconciler.start();
  await clock.flush();
  const stack: Stack = {
    clock,
    runtime,
    live,
    tracker,
    reconciler,
    gateway,
    events,
    log,
    ledger,
    signal: lifetime.signal,
    eventsOf: (type) => events.filter((e): e is Extract<OrchEvent, { type: typeof type }> => e.type === type),
    restartSupervisor: async () => {
      stack.close();
      runtime.remove = remove;
      return runStack(p, () => undefined, { clock, runtime, ledger });
    },
    close: () => {
      lifetime.abort();
      reconciler.close();
    },
  };
  return stack;
}

export { project, service };
