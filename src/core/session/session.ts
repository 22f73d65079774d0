import { routeServices, type Project, type ServiceSpec } from '../../model/project.js';
import { OrchError, isOrchError } from '../../errors/index.js';
import { Supervisor, effectivePolicy } from '../supervisor/index.js';
import type { EventSink } from '../events/bus.js';
import type { LiveProject } from '../live-project.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import { type ReplicaState } from '../engine/replica-tracker.js';
import type { EngineDeps } from '../engine/up.js';
import { removeReplica, startTracked } from '../engine/replicas.js';
import { graceMsOf } from '../runtime/docker.js';
import type { ReplicaId, RuntimePort } from '../runtime/port.js';
import { rollService, type RollOptions } from '../watch/rollout.js';
import { applyPlan, type ApplyHost, type ApplyOptions } from '../watch/apply.js';
import { diffProjects, type ProjectPlan } from '../watch/plan.js';
import { rotationOf, type RotationPort } from './rotation.js';
import { statusRows, type StatusRow } from './status.js';
import { GatewayWatch } from './gateway-events.js';
import { replicaFact } from './facts.js';

/** A replica's restart count as an earlier session left it, and the container it was counted on. */
export interface LedgerEntry {
  readonly id: ReplicaId;
  readonly restarts: number;
}

/**
 * Where restart counts outlive a session (the background supervisor is replaced by each
 * `orch up -d`), keyed `service/replica`.
 */
export interface RestartLedger {
  load(): ReadonlyMap<string, LedgerEntry>;
  save(entries: ReadonlyMap<string, LedgerEntry>): void;
}

export interface SessionOptions {
  readonly gateway?: RotationPort;
  readonly ledger?: RestartLedger;
  /** Where everything that happens to the running project is published. */
  readonly events: EventSink;
  readonly random?: () => number;
}

/**
 * A running project under orch's care: the engine's events and the probes feed the supervisor,
 * whose restarts and rotation decisions reach the engine and the gateway. Foreground `up` runs
 * one in-process; `up -d` runs one in the background supervisor.
 */
export class Session {
  readonly supervisor: Supervisor;
  private readonly outOfRotation = new Set<string>();
  /** New replicas of a rollout: in the gateway once healthy, not yet the supervisor's. */
  private readonly staging = new Set<ReplicaId>();
  /** Old replicas of a rollout: out of the gateway while their last requests finish. */
  private readonly draining = new Set<ReplicaId>();
  private readonly lifetime = new AbortController();
  /** What the ledger holds for this session's containers. */
  private readonly ledger = new Map<string, LedgerEntry>();
  private readonly gatewayWatch = new GatewayWatch();

  constructor(
    /** The one live project: the supervisor and the tracker read it, scale and live apply replace it. */
    private readonly live: LiveProject,
    readonly tracker: ReplicaTracker,
    private readonly deps: EngineDeps,
    private readonly opts: SessionOptions,
  ) {
    this.supervisor = new Supervisor(live, {
      clock: deps.clock,
      ...(opts.random ? { random: opts.random } : {}),
      actions: {
        restartReplica: (service, replica, reason) => this.restartReplica(service, replica, reason),
        setRotation: (service, replica, inRotation) => {
          const key = `${service}/${replica}`;
          if (inRotation) this.outOfRotation.delete(key);
          else this.outOfRotation.add(key);
          this.publish(service);
        },
        report: (e) => {
          if (e.type === 'restarted') this.recordRestarts(e.service, e.replica, e.restarts);
          opts.events.publish(e);
          if (e.type === 'crash-loop') void this.reportLastLines(e.service, e.replica);
        },
      },
    });
  }

  /** Starts supervising every replica the tracker knows, and whatever happens to them from now on. */
  start(): void {
    this.supervisor.start(this.lifetime.signal);
    this.tracker.onChange((r, change) => {
      const fact = replicaFact(r, change, this.tracker.health(r));
      if (fact) this.opts.events.publish(fact);
      if (this.staging.has(r.id)) return this.publish(r.service);
      const at = this.deps.clock.now();
      const base = { service: r.service, replica: r.replica };
      switch (change.kind) {
        case 'started':
          this.supervisor.feed({ type: 'started', ...base, at });
          break;
        case 'exited':
          this.supervisor.feed({ type: 'exited', ...base, exitCode: change.exitCode, at });
          break;
        case 'stopped':
          this.supervisor.feed({ type: 'stopped-by-user', ...base });
          break;
        case 'health':
          this.supervisor.feed({ type: 'health', ...base, health: change.health, at });
          break;
        case 'removed':
          break;
        default: {
          const never: never = change;
          throw new Error(`unknown change ${JSON.stringify(never)}`);
        }
      }
      this.publish(r.service);
    });
    this.seedFromLedger();
    for (const r of this.tracker.all()) this.adoptOne(r);
    for (const name of Object.keys(this.project.services)) this.publish(name);
  }

  /** Counts carry over only onto the very container they were made on; a recreated one starts at 0. */
  private seedFromLedger(): void {
    const ledger = this.opts.ledger;
    if (ledger === undefined) return;
    for (const [k, e] of ledger.load()) {
      const r = this.tracker.all().find((x) => x.id === e.id);
      if (r !== undefined && `${r.service}/${r.replica}` === k) {
        this.supervisor.seedRestarts(r.service, r.replica, e.restarts);
        this.ledger.set(k, e);
      }
    }
  }

  private recordRestarts(service: string, replica: number, restarts: number): void {
    const ledger = this.opts.ledger;
    const r = this.tracker.of(service).find((x) => x.replica === replica);
    if (ledger === undefined || r === undefined) return;
    this.ledger.set(`${service}/${replica}`, { id: r.id, restarts });
    try {
      ledger.save(this.ledger);
    } catch {
      // Counts are a convenience for `ps`; failing to keep them must not disturb supervision.
    }
  }

  close(): void {
    this.lifetime.abort();
    this.supervisor.close();
    this.tracker.close();
  }

  /** Rows for `ps`: the engine's facts plus the supervisor's view (restarts, crashloop, waiting). */
  status(): StatusRow[] {
    return statusRows(this.tracker, this.supervisor);
  }

  /** `orch restart`: one replica at a time, each healthy again before the next goes down. */
  async restartService(service: string, signal: AbortSignal): Promise<void> {
    const spec = this.spec(service);
    for (const r of this.tracker.of(service)) {
      const step = this.restartStep(service, r.replica);
      await this.outOfRotationWhile(service, r.replica, async () => {
        step('stopping');
        const runtime = this.tracker.runtimeOf(r);
        await this.tracker.ownAction(r.id, async () => {
          if (r.state === 'running') await runtime.stop(r.id, graceMsOf(spec));
          await runtime.start(r.id);
        });
        this.tracker.track(await runtime.inspect(r.id));
        await this.waitReplicaReady(r, signal);
      });
      step('healthy');
    }
  }

  /** A `rollout` event of a restart (`orch restart` or the dashboard's) for one replica. */
  private restartStep(
    service: string,
    replica: number,
  ): (phase: 'stopping' | 'replaced' | 'started' | 'healthy') => void {
    return (phase) =>
      void this.opts.events.publish({ type: 'rollout', service, replica, cause: 'restart', phase });
  }

  /** Keeps one replica out of the gateway while `fn` works on it, and puts it back however `fn` ends. */
  private async outOfRotationWhile<T>(service: string, replica: number, fn: () => Promise<T>): Promise<T> {
    const key = `${service}/${replica}`;
    this.outOfRotation.add(key);
    this.publish(service);
    try {
      return await fn();
    } finally {
      this.outOfRotation.delete(key);
      this.publish(service);
    }
  }

  /** `orch scale`: add replicas (started, then in rotation once healthy) or remove the highest first. */
  async scale(service: string, count: number): Promise<void> {
    const spec = this.spec(service);
    if (
      count > 1 &&
      (spec.containerName || spec.ports.some((p) => p.published && !p.published.includes('-')))
    )
      throw new OrchError('USAGE', `service "${service}" cannot have ${count} replicas`, {
        hint: 'a fixed host port or container_name allows one replica only',
      });
    const from = this.tracker.of(service).length;
    const scaled: ServiceSpec = { ...spec, replicas: count };
    this.useProject({ ...this.project, services: { ...this.project.services, [service]: scaled } });
    const current = this.tracker.of(service);
    for (const r of current.filter((x) => x.replica > count).sort((a, b) => b.replica - a.replica)) {
      this.supervisor.feed({ type: 'stopped-by-user', service, replica: r.replica });
      this.outOfRotation.add(`${service}/${r.replica}`);
      this.publish(service);
      await this.tracker.ownAction(r.id, () => removeReplica(this.tracker.runtimeOf(r), r.id, scaled));
      this.tracker.forget(r.id);
    }
    const have = new Set(current.map((r) => r.replica));
    for (let n = 1; n <= count; n++) if (!have.has(n)) await this.createAndStart(scaled, n);
    this.publish(service);
    this.opts.events.publish({ type: 'scaled', service, from, to: count });
  }

  /**
   * The dashboard's restart: replica `replica` gets a new container (out of the gateway meanwhile),
   * and resolves once that one is ready. Restart counts begin afresh on it, as for any recreation.
   */
  async replaceReplica(service: string, replica: number, signal: AbortSignal): Promise<void> {
    const spec = this.spec(service);
    const step = this.restartStep(service, replica);
    await this.outOfRotationWhile(service, replica, async () => {
      const old = this.tracker.of(service).find((r) => r.replica === replica);
      if (old) {
        step('stopping');
        this.supervisor.feed({ type: 'stopped-by-user', service, replica });
        await this.tracker.ownAction(old.id, () => removeReplica(this.tracker.runtimeOf(old), old.id, spec));
        this.tracker.forget(old.id);
        step('replaced');
      }
      await this.createAndStart(spec, replica);
      step('started');
      const fresh = this.tracker.of(service).find((r) => r.replica === replica);
      if (fresh) await this.waitReplicaReady(fresh, signal);
    });
    step('healthy');
  }

  /** The project as it runs now (after `scale` and `applyProject`). */
  get current(): Project {
    return this.live.current;
  }

  private get project(): Project {
    return this.live.current;
  }

  /** Replaces the service's replicas one at a time onto its current image (after a rebuild). */
  async rollService(service: string, signal: AbortSignal, opts: RollOptions = {}): Promise<void> {
    await rollService(this.applyHost(), this.spec(service), signal, opts);
  }

  /**
   * Moves the running project to `next`, touching only the services whose configuration hash or
   * replica count changed (`plan`, by default the difference of the two).
   */
  async applyProject(
    next: Project,
    signal: AbortSignal,
    opts: ApplyOptions & { plan?: ProjectPlan } = {},
  ): Promise<ProjectPlan> {
    const plan = opts.plan ?? diffProjects(this.project, next);
    // The listener first: a port that cannot be bound fails the edit before anything else changed.
    const before = this.project.orch.gateway;
    const after = next.orch.gateway;
    if (plan.gatewayChanged && this.opts.gateway && before && after)
      await this.opts.gateway.setListener(after);
    await applyPlan(this.applyHost(), next, plan, signal, opts);
    return plan;
  }

  behindGateway(service: string): boolean {
    return (
      this.opts.gateway !== undefined &&
      (this.project.orch.gateway?.routes ?? []).some((r) => routeServices(r).includes(service))
    );
  }

  private applyHost(): ApplyHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getter reads the live project
    const self = this;
    return {
      get project() {
        return self.project;
      },
      tracker: this.tracker,
      deps: this.deps,
      events: this.opts.events,
      stage: (id, on) => void (on ? this.staging.add(id) : this.staging.delete(id)),
      drain: (id, on) => void (on ? this.draining.add(id) : this.draining.delete(id)),
      publish: (service) => this.publish(service),
      adopt: (r) => this.adoptOne(r),
      setProject: (next) => this.useProject(next),
      removeService: (service) => this.removeService(service),
      scale: (service, count) => this.scale(service, count),
      createAndStart: (spec, replica) => this.createAndStart(spec, replica),
      behindGateway: (service) => this.behindGateway(service),
    };
  }

  private async reportLastLines(service: string, replica: number): Promise<void> {
    const r = this.tracker.of(service).find((x) => x.replica === replica);
    if (!r) return;
    const lines: string[] = [];
    try {
      const logs = this.tracker.runtimeOf(r).logs(r.id, { follow: false, tail: 10, timestamps: false });
      for await (const batch of logs) for (const l of batch) lines.push(l.line);
    } catch {
      return; // gone already: the crash-loop line itself says enough
    }
    this.opts.events.publish({ type: 'last-lines', service, replica, lines });
  }

  /** Replaces the live project; the supervisor and the tracker read it from there, the gateway follows. */
  private useProject(next: Project): void {
    const routesBefore = routeShape(this.project);
    this.live.set(next);
    if (this.opts.gateway && routeShape(next) !== routesBefore) {
      this.opts.gateway.setRoutes(next.orch.gateway?.routes ?? []);
      for (const name of Object.keys(next.services)) this.publish(name);
    }
  }

  private async removeService(service: string): Promise<void> {
    // Already gone from the current project: the containers' own grace period is not known.
    const spec = this.project.services[service];
    for (const r of this.tracker.of(service)) {
      this.supervisor.feed({ type: 'stopped-by-user', service, replica: r.replica });
      this.tracker.forget(r.id);
      this.publish(service);
      await removeReplica(this.tracker.runtimeOf(r), r.id, spec);
    }
    this.publish(service);
  }

  /**
   * A replica found at start: running ones are supervised from here; one that already exited
   * (before any supervisor was watching, e.g. between `up -d` and the supervisor's start) goes
   * through its restart policy as if the exit had just happened.
   */
  private adoptOne(r: ReplicaState): void {
    const at = this.deps.clock.now();
    const base = { service: r.service, replica: r.replica };
    const spec = this.project.services[r.service];
    if (r.state === 'exited' && r.snapshot.startedAt !== null && spec) {
      // Nothing to decide for a policy that never restarts (a finished job stays quiet).
      if (effectivePolicy(spec).on === 'never') return;
      this.supervisor.feed({ type: 'started', ...base, at });
      this.supervisor.feed({ type: 'exited', ...base, exitCode: r.exitCode ?? -1, at });
      return;
    }
    if (r.state !== 'running') return;
    this.supervisor.feed({ type: 'started', ...base, at });
    const health = this.tracker.health(r);
    if (health !== 'none') this.supervisor.feed({ type: 'health', ...base, health, at });
  }

  /**
   * The supervisor's restart: start the container again, or make a new one if it is gone. While
   * the engine does not answer (it is restarting) the restart waits for it instead of failing:
   * the engine's absence is no fault of the replica, and counting it would push a service that
   * is fine into a crash loop.
   */
  private async restartReplica(service: string, replica: number, _reason: string): Promise<void> {
    for (;;) {
      try {
        return await this.restartOnce(service, replica);
      } catch (err) {
        if (!isOrchError(err) || err.code !== 'ENGINE_UNREACHABLE') throw err;
        await this.untilRuntimeAnswers(this.deps.runtimes.of(this.spec(service)), service);
      }
    }
  }

  private async restartOnce(service: string, replica: number): Promise<void> {
    const spec = this.spec(service);
    const r = this.tracker.of(service).find((x) => x.replica === replica);
    if (r && r.state !== 'removing') {
      const runtime = this.tracker.runtimeOf(r);
      try {
        await this.tracker.ownAction(r.id, async () => {
          if (r.state === 'running' || r.state === 'restarting') await runtime.stop(r.id, graceMsOf(spec));
          await runtime.start(r.id);
        });
        this.tracker.track(await runtime.inspect(r.id));
        return;
      } catch (err) {
        // A new one only when the runtime no longer has this one (removed by hand): any other
        // failure, the engine going away included, must not cost a replica that is still right.
        const listed = await runtime.list(this.project.name, { service, replica });
        if (listed.some((c) => c.id === r.id)) throw err;
        this.tracker.forget(r.id);
      }
    }
    await this.createAndStart(spec, replica);
  }

  /** Asks the runtime at a growing interval (up to 2 s) until it answers or the session closes. */
  private async untilRuntimeAnswers(runtime: RuntimePort, service: string): Promise<void> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
      await this.deps.clock.sleep(delay, this.lifetime.signal);
      try {
        await runtime.list(this.project.name, { service });
        return;
      } catch {
        // Still away.
      }
    }
  }

  private async createAndStart(spec: ServiceSpec, replica: number): Promise<void> {
    const runtime = this.deps.runtimes.of(spec);
    const existing = await runtime.list(this.project.name, { service: spec.name, replica });
    for (const c of existing) await removeReplica(runtime, c.id, spec);
    const made = await runtime.create(this.project, spec, replica);
    this.opts.events.publish({ type: 'created', service: spec.name, replica, container: made.name });
    await startTracked(made, this.tracker, runtime);
  }

  private waitReplicaReady(r: ReplicaState, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const cur = this.tracker.of(r.service).find((x) => x.replica === r.replica);
        if (!cur) return false;
        const h = this.tracker.health(cur);
        if (cur.state === 'running' && (h === 'healthy' || h === 'none')) return true;
        if (cur.state === 'exited') {
          reject(
            new OrchError(
              'STACK_FAILED',
              `${cur.name} exited with code ${cur.exitCode ?? '?'} during the restart`,
            ),
          );
          return true;
        }
        return false;
      };
      if (check()) return resolve();
      const off = this.tracker.onChange(() => {
        if (check()) {
          off();
          resolve();
        }
      });
      signal.addEventListener('abort', () => {
        off();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      });
    });
  }

  private publish(service: string): void {
    if (!this.opts.gateway) return;
    const replicas = rotationOf(service, this.tracker, this.outOfRotation).map((r) =>
      this.draining.has(r.id) ? { ...r, healthy: false } : r,
    );
    this.opts.gateway.setReplicas(service, replicas);
    const routes = (this.project.orch.gateway?.routes ?? []).filter((r) =>
      routeServices(r).includes(service),
    );
    for (const e of this.gatewayWatch.update(service, replicas, routes)) this.opts.events.publish(e);
  }

  private spec(service: string): ServiceSpec {
    const s = this.project.services[service];
    if (!s)
      throw new OrchError('USAGE', `no service named "${service}"`, {
        hint: `services: ${Object.keys(this.project.services).join(', ')}`,
      });
    return s;
  }
}

/** The routes as they matter to the gateway (where they were written does not). */
function routeShape(p: Project): string {
  return JSON.stringify((p.orch.gateway?.routes ?? []).map(({ pos: _pos, ...r }) => r));
}
