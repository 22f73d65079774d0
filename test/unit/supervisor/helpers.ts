import type { SupervisorDecision } from '../../../src/model/events.js';
import { setImmediate } from 'node:timers';
import type {
  Dependency,
  DeployRestartPolicy,
  Project,
  RestartPolicy,
  ServiceSpec,
} from '../../../src/model/project.js';
import { Supervisor, type SupervisorActions } from '../../../src/core/supervisor/index.js';
import { FakeClock } from '../../fakes/index.js';
import { LiveProject } from '../../../src/core/live-project.js';

export interface SvcOpts {
  restart?: RestartPolicy;
  deploy?: DeployRestartPolicy;
  /** Gives the service a health source (an orch tcp probe). */
  health?: boolean;
  restartOnUnhealthy?: boolean;
  backoff?: { initialMs: number; maxMs: number };
  dependsOn?: Record<string, Partial<Dependency>>;
  replicas?: number;
}

/** A model ServiceSpec with only what the supervisor reads set to something meaningful. */
export function service(name: string, o: SvcOpts = {}): ServiceSpec {
  const restart = o.restart ?? { kind: 'always' };
  const dependsOn: Record<string, Dependency> = {};
  for (const [dep, d] of Object.entries(o.dependsOn ?? {}))
    dependsOn[dep] = { condition: 'service_started', restart: false, required: true, ...d };
  return {
    name,
    pos: { file: '/proj/compose.yaml', line: 1, col: 1 },
    image: `${name}:latest`,
    environment: {},
    ports: [],
    expose: [],
    volumes: [],
    networks: { default: { aliases: [] } },
    dependsOn,
    restart,
    replicas: o.replicas ?? 1,
    ...(o.deploy ? { deployRestartPolicy: o.deploy } : {}),
    profiles: [],
    labels: {},
    capAdd: [],
    capDrop: [],
    secrets: [],
    configs: [],
    watch: [],
    orch: {
      ...(o.health
        ? {
            probe: {
              kind: 'tcp' as const,
              port: 80,
              intervalMs: 1000,
              timeoutMs: 1000,
              retries: 3,
              startPeriodMs: 0,
            },
          }
        : {}),
      restartOnUnhealthy: o.restartOnUnhealthy ?? restart.kind !== 'no',
      backoff: o.backoff ?? { initialMs: 250, maxMs: 30_000 },
    },
  };
}

export function project(...services: ServiceSpec[]): Project {
  return {
    name: 'test',
    projectDir: '/proj',
    files: ['/proj/compose.yaml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    orch: { smoke: [], watch: false },
  };
}

export interface RestartCall {
  readonly service: string;
  readonly replica: number;
  readonly reason: string;
  readonly at: number;
}

/** Records every action; `restartReplica` takes `startMs` of virtual time and can be made to fail. */
export class FakeActions implements SupervisorActions {
  readonly restarts: RestartCall[] = [];
  readonly rotation: { service: string; replica: number; inRotation: boolean; at: number }[] = [];
  readonly events: SupervisorDecision[] = [];
  startMs = 0;
  failNext = 0;
  /** Runs once the replica is started again, e.g. to make it crash again. */
  onRestarted: ((c: RestartCall) => void) | undefined;

  constructor(private readonly clock: FakeClock) {}

  async restartReplica(service: string, replica: number, reason: string): Promise<void> {
    const call = { service, replica, reason, at: this.clock.now() };
    this.restarts.push(call);
    if (this.startMs > 0) await this.clock.sleep(this.startMs);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('image not found');
    }
    // After the supervisor has seen the restart resolve, as the engine's next event would be.
    setImmediate(() => this.onRestarted?.(call));
  }

  setRotation(service: string, replica: number, inRotation: boolean): void {
    this.rotation.push({ service, replica, inRotation, at: this.clock.now() });
  }

  report(event: SupervisorDecision): void {
    this.events.push(event);
  }

  inRotation(service: string, replica = 1): boolean | undefined {
    return this.rotation.filter((r) => r.service === service && r.replica === replica).at(-1)?.inRotation;
  }

  restartsOf(service: string, replica = 1): RestartCall[] {
    return this.restarts.filter((r) => r.service === service && r.replica === replica);
  }

  eventsOf<T extends SupervisorDecision['type']>(type: T): Extract<SupervisorDecision, { type: T }>[] {
    return this.events.filter((e): e is Extract<SupervisorDecision, { type: T }> => e.type === type);
  }
}

/** mulberry32: a tiny seeded PRNG, so jittered runs repeat exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Harness {
  clock: FakeClock;
  actions: FakeActions;
  sup: Supervisor;
  /** The project the supervisor reads; `live.set` is a live edit. */
  live: LiveProject;
  ctl: AbortController;
  /** Feed inputs stamped with the clock's time. */
  started(service: string, replica?: number): void;
  exited(service: string, exitCode: number, replica?: number): void;
  health(service: string, health: 'healthy' | 'unhealthy' | 'starting', replica?: number): void;
  stoppedByUser(service: string, replica?: number): void;
}

/** A supervisor over `p` with every replica in `running` already started. No jitter unless `random` says. */
export function harness(p: Project, opts: { random?: () => number; running?: string[] } = {}): Harness {
  const clock = new FakeClock();
  const actions = new FakeActions(clock);
  const ctl = new AbortController();
  const live = new LiveProject(p);
  const sup = new Supervisor(live, { clock, actions, random: opts.random ?? (() => 0), signal: ctl.signal });
  const h: Harness = {
    clock,
    actions,
    sup,
    live,
    ctl,
    started: (service, replica = 1) => sup.feed({ type: 'started', service, replica, at: clock.now() }),
    exited: (service, exitCode, replica = 1) =>
      sup.feed({ type: 'exited', service, replica, exitCode, at: clock.now() }),
    health: (service, health, replica = 1) =>
      sup.feed({ type: 'health', service, replica, health, at: clock.now() }),
    stoppedByUser: (service, replica) =>
      sup.feed(
        replica === undefined
          ? { type: 'stopped-by-user', service }
          : { type: 'stopped-by-user', service, replica },
      ),
  };
  for (const s of opts.running ?? Object.keys(p.services)) {
    const spec = p.services[s];
    for (let i = 1; i <= (spec?.replicas ?? 1); i++) h.started(s, i);
  }
  return h;
}
