import type { DependencyCondition, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { Clock, ContainerSnapshot, HealthStatus } from '../ports.js';
import type {
  ReplicaId,
  ReplicaSnapshot,
  RuntimeEvent,
  RuntimeKind,
  RuntimePort,
  Runtimes,
} from '../runtime/port.js';
import { isOrchError } from '../../errors/index.js';
import { combineHealth } from '../health.js';
import { ProbeHistory, type ProbeChangeListener, type ProbeStatus } from '../probes/index.js';
import { startCheckOf, startProbe } from '../probes/start.js';
import { followEvents } from '../runtime/follow-events.js';

export interface ReplicaState {
  readonly id: ReplicaId;
  /** Which runtime runs it: every action on the replica goes there. */
  readonly runtime: RuntimeKind;
  readonly service: string;
  readonly replica: number;
  readonly name: string;
  state: ContainerSnapshot['state'];
  exitCode: number | null;
  dockerHealth: HealthStatus;
  /** What Docker's last failing health check printed, once it reported `unhealthy`. */
  dockerHealthOutput?: string;
  /**
   * orch ran the Docker health test itself (at the start interval) and it passed while Docker
   * still says `starting`: the replica counts as healthy until Docker's own verdict comes.
   */
  startCheckPassed?: boolean;
  probe?: ProbeStatus;
  readonly probeHistory: ProbeHistory;
  snapshot: ReplicaSnapshot;
  startedAt?: number;
  healthyAt?: number | undefined;
  exitedAt?: number;
}

/** Starts orch's own probe for a replica; resolves when `signal` aborts. */
export type ProbeStarter = (
  service: ServiceSpec,
  replica: ReplicaState,
  signal: AbortSignal,
  onChange: ProbeChangeListener,
  history: ProbeHistory,
) => Promise<void>;

/** What happened to a replica, in the order the engine and the probes report it. */
export type ReplicaChange =
  | { readonly kind: 'started' }
  | { readonly kind: 'exited'; readonly exitCode: number }
  /** Stopped by someone other than orch (`docker stop`): not a failure. */
  | { readonly kind: 'stopped' }
  | { readonly kind: 'health'; readonly health: HealthStatus }
  | { readonly kind: 'removed' };

export class ServiceNotReady extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
  ) {
    super(`${service}: ${reason}`);
  }
}

/**
 * What orch knows about the replicas it started in this session, kept current from the engine's
 * event stream (start, die, health) and orch's probes: no polling. `waitFor` answers depends_on
 * conditions from it.
 */
export class ReplicaTracker {
  private readonly replicas = new Map<ReplicaId, ReplicaState>();
  private readonly listeners = new Set<() => void>();
  private readonly probeAborts = new Map<ReplicaId, AbortController>();
  /** orch's own runs of a replica's Docker health test, until it first passes. */
  private readonly startChecks = new Map<ReplicaId, AbortController>();
  private readonly lifetime = new AbortController();
  private readonly changeListeners = new Set<(r: ReplicaState, change: ReplicaChange) => void>();
  private readonly startListeners = new Set<(r: ReplicaState) => void>();
  /** Containers orch itself is stopping or restarting: their stop/die events are not news. */
  private readonly ownActions = new Set<ReplicaId>();
  /** Containers that started again inside orch's own action: a die after that is real news. */
  private readonly startedInOwnAction = new Set<ReplicaId>();
  /** Per replica, changes held behind a runtime check, so listeners get them in the runtime's order. */
  private readonly held = new Map<ReplicaId, Promise<void>>();
  /** Per replica, whether its runtime still answered when it last died. */
  private readonly answeredAtDie = new Map<ReplicaId, Promise<boolean>>();

  constructor(
    private readonly deps: { runtimes: Runtimes; clock: Clock; startProbe: ProbeStarter },
    /**
     * The live project's services, read when a probe starts (a live edit applies to new replicas)
     * and when a condition is judged; a new version can settle a wait (a scale to 0 meets every
     * condition), so waiters are asked again when it changes.
     */
    private readonly project: {
      readonly current: { readonly services: Readonly<Record<string, ServiceSpec>> };
      onChange?(listener: () => void): () => void;
    },
  ) {
    project.onChange?.(() => this.notify());
  }

  /**
   * Follows the project's replica events on every runtime until `signal` aborts or `close()`.
   * Call before creating replicas. When a runtime's stream breaks (the engine restarted or went
   * away) it reconnects with backoff and re-reads that runtime's replicas: what changed meanwhile
   * (a replica that died with the engine) is reported as if the event had arrived, so the
   * supervisor's restart policies apply to it and nothing still right is touched.
   */
  follow(projectName: string, signal: AbortSignal): void {
    const stop = AbortSignal.any([signal, this.lifetime.signal]);
    for (const runtime of this.deps.runtimes.all) this.followRuntime(runtime, projectName, stop);
  }

  private followRuntime(runtime: RuntimePort, projectName: string, stop: AbortSignal): void {
    followEvents((signal) => runtime.events(projectName, signal), this.deps.clock, stop, {
      onEvent: (ev) => this.onEvent(ev),
      onResubscribed: () => this.resync(runtime, projectName),
    });
  }

  /** A runtime's view of every replica it runs, applied as the events it would have sent. */
  private async resync(runtime: RuntimePort, projectName: string): Promise<void> {
    const listed = new Map((await runtime.list(projectName)).map((c) => [c.id, c] as const));
    for (const r of [...this.replicas.values()]) {
      if (r.runtime !== runtime.kind) continue;
      const c = listed.get(r.id);
      const base = { id: r.id, labels: r.snapshot.labels, time: this.deps.clock.now() };
      if (c === undefined) {
        this.onEvent({ type: 'destroy', ...base });
        continue;
      }
      const running = c.state === 'running';
      if (running && r.state !== 'running') this.onEvent({ type: 'start', ...base });
      else if (!running && r.state === 'running')
        this.onEvent(
          { type: 'die', ...base, ...(c.exitCode === null ? {} : { exitCode: c.exitCode }) },
          true,
        );
      if (running && c.health !== 'none' && c.health !== r.dockerHealth)
        this.onEvent({ type: 'health', ...base, health: c.health });
    }
  }

  /**
   * Registers a replica orch created or reused, from a fresh inspect. `startChecked`: orch's start
   * check already passed for this run of the replica (`up` hands its replicas to the
   * supervisor): it is not run again.
   */
  track(snapshot: ReplicaSnapshot, opts: { startChecked?: boolean } = {}): ReplicaState {
    const service = snapshot.labels[Label.service] ?? '';
    const existing = this.replicas.get(snapshot.id);
    const state: ReplicaState = existing ?? {
      id: snapshot.id,
      runtime: snapshot.runtime,
      service,
      replica: Number(snapshot.labels[Label.replica] ?? '1'),
      name: snapshot.name,
      state: snapshot.state,
      exitCode: snapshot.exitCode,
      dockerHealth: snapshot.health,
      probeHistory: new ProbeHistory(),
      snapshot,
    };
    const before = existing ? this.health(existing) : undefined;
    const startSeen = snapshot.state === 'running' && existing?.state !== 'running';
    // Running again with no `start` event seen (orch restarted it while the engine's event stream
    // was still reconnecting): judged afresh, as the `start` case does, or a start check passed
    // before the exit would count for this run and its `healthy` would never be reported.
    if (existing && existing.state !== 'running' && snapshot.state === 'running') {
      state.startCheckPassed = false;
      state.healthyAt = undefined;
      state.startedAt = this.deps.clock.now();
    }
    state.snapshot = snapshot;
    state.state = snapshot.state;
    state.exitCode = snapshot.exitCode;
    state.dockerHealth = snapshot.health;
    if (opts.startChecked && snapshot.state === 'running') state.startCheckPassed = true;
    if (snapshot.state === 'running' && state.startedAt === undefined)
      state.startedAt = this.deps.clock.now();
    if (snapshot.state === 'exited' || snapshot.state === 'dead') state.exitedAt ??= this.deps.clock.now();
    this.replicas.set(snapshot.id, state);
    if (startSeen) this.started(state);
    this.maybeStartProbe(state);
    this.maybeStartCheck(state);
    // A verdict that moved under a re-read is news like one from an event (a new replica's first
    // verdict comes from its events and probes).
    if (before !== undefined) this.afterChange(state, before);
    else {
      this.refreshHealthy(state);
      this.notify();
    }
    return state;
  }

  /** Every transition of every tracked replica; returns an unsubscribe function. */
  onChange(listener: (r: ReplicaState, change: ReplicaChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Every (re)start of a tracked replica, however the tracker learnt of it: the runtime's `start`
   * event, a re-read after the event stream reconnected, or orch's own look at a replica it
   * started (then the `start` event may follow: a start can be reported twice, never missed). Not
   * a `ReplicaChange`: the supervisor and `orch events` hear of a start from the runtime alone.
   * Returns an unsubscribe function.
   */
  onStart(listener: (r: ReplicaState) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  private started(r: ReplicaState): void {
    for (const l of [...this.startListeners]) l(r);
  }

  /** Runs an action of orch's own on a container (a restart); its stop and die are not reported. */
  async ownAction<T>(id: ReplicaId, action: () => Promise<T>): Promise<T> {
    this.ownActions.add(id);
    try {
      return await action();
    } finally {
      this.ownActions.delete(id);
      this.startedInOwnAction.delete(id);
    }
  }

  forget(id: ReplicaId): void {
    this.answeredAtDie.delete(id);
    this.probeAborts.get(id)?.abort();
    this.probeAborts.delete(id);
    this.stopStartCheck(id);
    this.replicas.delete(id);
    this.notify();
  }

  get(id: ReplicaId): ReplicaState | undefined {
    return this.replicas.get(id);
  }

  of(service: string): ReplicaState[] {
    return [...this.replicas.values()]
      .filter((r) => r.service === service)
      .sort((a, b) => a.replica - b.replica);
  }

  all(): ReplicaState[] {
    return [...this.replicas.values()];
  }

  /** Stops following the engine and every probe: nothing of the tracker keeps the process alive. */
  close(): void {
    this.lifetime.abort();
    for (const c of this.probeAborts.values()) c.abort();
    this.probeAborts.clear();
    for (const c of this.startChecks.values()) c.abort();
    this.startChecks.clear();
  }

  /** Combined health of one replica: every health source it has must pass. */
  health(r: ReplicaState): HealthStatus {
    const docker = r.dockerHealth === 'starting' && r.startCheckPassed ? 'healthy' : r.dockerHealth;
    return combineHealth(docker, r.probe);
  }

  /** Resolves when the service meets `condition`; rejects with ServiceNotReady when it cannot. */
  waitFor(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        const verdict = this.verdict(service, condition);
        if (verdict === 'pending') return false;
        cleanup();
        if (verdict === 'met') resolve();
        else reject(new ServiceNotReady(service, verdict.failed));
        return true;
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const cleanup = (): void => {
        this.listeners.delete(listener);
        signal.removeEventListener('abort', onAbort);
      };
      const listener = (): void => void check();
      if (signal.aborted) return onAbort();
      if (check()) return;
      this.listeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private verdict(service: string, condition: DependencyCondition): 'pending' | 'met' | { failed: string } {
    const reps = this.of(service);
    // `deploy.replicas: 0` is a service asked not to run: every condition on it is met, as in
    // compose; replicas that are still being removed after a scale to 0 do not count against it.
    if (this.project.current.services[service]?.replicas === 0) return 'met';
    if (reps.length === 0) return 'pending';
    switch (condition) {
      case 'service_started':
        return reps.every((r) => r.startedAt !== undefined || r.state === 'running') ? 'met' : 'pending';
      case 'service_healthy': {
        for (const r of reps) {
          if (r.state === 'exited' || r.state === 'dead')
            return { failed: `${r.name} exited with code ${r.exitCode ?? '?'} before it became healthy` };
          if (this.health(r) === 'unhealthy') return { failed: `${r.name} is unhealthy` };
        }
        return reps.every((r) => this.health(r) === 'healthy') ? 'met' : 'pending';
      }
      case 'service_completed_successfully': {
        for (const r of reps) {
          if ((r.state === 'exited' || r.state === 'dead') && r.exitCode !== 0)
            return { failed: `${r.name} exited with code ${r.exitCode ?? '?'}` };
        }
        return reps.every((r) => r.state === 'exited' && r.exitCode === 0) ? 'met' : 'pending';
      }
      default: {
        const never: never = condition;
        throw new Error(`unknown condition ${String(never)}`);
      }
    }
  }

  /** `runtimeAnswered`: the event comes from a re-read, so the runtime is known to answer. */
  private onEvent(ev: RuntimeEvent, runtimeAnswered = false): void {
    const r = this.replicas.get(ev.id);
    if (!r) return;
    const before = this.health(r);
    switch (ev.type) {
      case 'start':
        r.state = 'running';
        r.exitCode = null;
        r.startedAt = this.deps.clock.now();
        r.healthyAt = undefined;
        // A restarted container is judged afresh: Docker resets its health, orch its probe.
        if (r.dockerHealth !== 'none') r.dockerHealth = 'starting';
        r.startCheckPassed = false;
        this.stopProbe(r);
        this.stopStartCheck(r.id);
        // Ports are published at start: the probe needs a snapshot taken after it, not the one
        // from before (its first check would fail on "port not published").
        void this.runtimeOf(r)
          .inspect(r.id)
          .then(
            (snap) => {
              if (this.replicas.get(r.id) !== r || r.state !== 'running') return;
              r.snapshot = snap;
              // Tracked while only created, it had no health yet; Docker's events move it on from here.
              if (r.dockerHealth === 'none') r.dockerHealth = snap.health;
              this.maybeStartProbe(r);
              this.maybeStartCheck(r);
            },
            () => undefined,
          );
        if (this.ownActions.has(r.id)) this.startedInOwnAction.add(r.id);
        this.answeredAtDie.delete(r.id);
        this.emit(r, { kind: 'started' });
        this.started(r);
        break;
      case 'die':
        r.state = 'exited';
        r.exitCode = ev.exitCode ?? null;
        r.exitedAt = this.deps.clock.now();
        r.startCheckPassed = false;
        this.stopProbe(r);
        this.stopStartCheck(r.id);
        // Orch's own stop is not news; the restarted container dying at once is.
        if (!this.ownActions.has(r.id) || this.startedInOwnAction.has(r.id)) {
          // Asked before anyone hears of the exit, so the `stop` that may follow is judged before
          // a restart can come due (see the `stop` case).
          const answered = runtimeAnswered ? Promise.resolve(true) : this.runtimeAnswers(r);
          this.answeredAtDie.set(r.id, answered);
          const change = { kind: 'exited', exitCode: r.exitCode ?? -1 } as const;
          if (runtimeAnswered) this.emit(r, change);
          else this.inOrder(r.id, () => answered.then(() => this.emitNow(r, change)));
        }
        break;
      case 'stop': {
        if (this.ownActions.has(r.id)) return;
        // A stop orch did not ask for is the user's (`docker stop`: not restarted), unless the
        // engine itself is going down: dockerd stops every container on its way out, after it
        // stopped accepting connections, so a fresh request fails then. Those replicas died with
        // the engine, and their restart policy applies.
        const answered = this.answeredAtDie.get(r.id) ?? this.runtimeAnswers(r);
        this.inOrder(r.id, () =>
          answered.then((yes) => {
            if (yes) this.emitNow(r, { kind: 'stopped' });
          }),
        );
        return;
      }
      case 'health':
        r.dockerHealth = ev.health;
        if (ev.output !== undefined) r.dockerHealthOutput = ev.output;
        // Docker has judged: from here on its own interval applies.
        if (ev.health !== 'starting') this.stopStartCheck(r.id);
        break;
      case 'destroy':
        r.state = 'removing';
        this.stopProbe(r);
        this.stopStartCheck(r.id);
        this.replicas.delete(r.id);
        this.answeredAtDie.delete(r.id);
        this.emit(r, { kind: 'removed' });
        break;
      case 'kill':
      case 'create':
      case 'oom':
        return;
      default: {
        const never: never = ev;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
    this.afterChange(r, before);
  }

  /** Re-evaluates health after any change and tells listeners when the combined verdict moved. */
  private afterChange(r: ReplicaState, before: HealthStatus): void {
    this.refreshHealthy(r);
    const after = this.health(r);
    if (after !== before && r.state === 'running') this.emit(r, { kind: 'health', health: after });
    this.notify();
  }

  private emit(r: ReplicaState, change: ReplicaChange): void {
    this.inOrder(r.id, () => this.emitNow(r, change));
  }

  private emitNow(r: ReplicaState, change: ReplicaChange): void {
    for (const l of [...this.changeListeners]) l(r, change);
  }

  /** Runs `step` after whatever is held for this replica; at once when nothing is. */
  private inOrder(id: ReplicaId, step: () => Promise<void> | void): void {
    const before = this.held.get(id);
    const result = before === undefined ? step() : before.then(step);
    if (result === undefined) return;
    const tail = result.catch(() => undefined);
    this.held.set(id, tail);
    void tail.then(() => {
      if (this.held.get(id) === tail) this.held.delete(id);
    });
  }

  /** Whether the replica's runtime answers a fresh request about it now (any answer but "unreachable"). */
  private runtimeAnswers(r: ReplicaState): Promise<boolean> {
    return Promise.resolve()
      .then(() => this.runtimeOf(r).inspect(r.id))
      .then(
        () => true,
        (e: unknown) => !(isOrchError(e) && e.code === 'ENGINE_UNREACHABLE'),
      );
  }

  private stopProbe(r: ReplicaState): void {
    this.probeAborts.get(r.id)?.abort();
    this.probeAborts.delete(r.id);
    delete r.probe;
  }

  private maybeStartProbe(r: ReplicaState): void {
    // An inspect answered after close() (`up -d` returns as the last replica starts) must not
    // start a probe nobody will stop: its timers would keep the process alive.
    if (this.lifetime.signal.aborted) return;
    const spec = this.project.current.services[r.service];
    if (!spec?.orch.probe || this.probeAborts.has(r.id) || r.state !== 'running') return;
    const ctl = new AbortController();
    this.probeAborts.set(r.id, ctl);
    r.probe = 'starting';
    void this.deps
      .startProbe(
        spec,
        r,
        ctl.signal,
        (status) => {
          if (ctl.signal.aborted) return;
          const before = this.health(r);
          r.probe = status;
          this.afterChange(r, before);
        },
        r.probeHistory,
      )
      .catch(() => undefined);
  }

  /**
   * Until a replica with a Docker healthcheck is first healthy, orch runs the test itself at the
   * start interval (Docker's first check comes one full interval after the start): the first pass
   * makes it healthy, so its dependents start then. Failures here are no verdict; Docker's own
   * checks decide `unhealthy`.
   */
  private maybeStartCheck(r: ReplicaState): void {
    if (this.lifetime.signal.aborted) return;
    if (r.state !== 'running' || r.dockerHealth !== 'starting' || r.startCheckPassed) return;
    if (this.startChecks.has(r.id)) return;
    const check = startCheckOf(this.project.current.services[r.service], r.snapshot.healthcheck);
    if (!check) return;
    const ctl = new AbortController();
    this.startChecks.set(r.id, ctl);
    const deps = { clock: this.deps.clock, runtime: this.runtimeOf(r) };
    void startProbe(check, r.id, deps, ctl.signal).then(
      (passed) => {
        if (ctl.signal.aborted || !passed) return;
        this.startChecks.delete(r.id);
        const before = this.health(r);
        r.startCheckPassed = true;
        this.afterChange(r, before);
      },
      () => undefined,
    );
  }

  /** The runtime a replica runs on. */
  runtimeOf(r: Pick<ReplicaState, 'runtime'>): RuntimePort {
    return this.deps.runtimes.kind(r.runtime);
  }

  private stopStartCheck(id: ReplicaId): void {
    this.startChecks.get(id)?.abort();
    this.startChecks.delete(id);
  }

  private refreshHealthy(r: ReplicaState): void {
    if (r.healthyAt === undefined && this.health(r) === 'healthy') r.healthyAt = this.deps.clock.now();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
