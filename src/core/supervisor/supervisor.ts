import { hasHealthSource, type ServiceSpec } from '../../model/project.js';
import type { ProjectRef } from '../live-project.js';
import type { Clock, HealthStatus } from '../ports.js';
import { Backoff, backoffSpec, STABLE_AFTER_MS } from './backoff.js';
import { CRASHLOOP_WINDOW_MS } from './crashloop.js';
import { decide, describeFailure, effectivePolicy, type Failure } from './policy.js';
import { Regate } from './regate.js';
import { ReplicaRecord } from './replica.js';
import type { ReplicaStatus, SupervisorActions, SupervisorInput } from './types.js';

export interface SupervisorOptions {
  readonly clock: Clock;
  readonly actions: SupervisorActions;
  /** In [0, 1), for backoff jitter; Math.random by default. */
  readonly random?: () => number;
  /** Aborting it cancels every pending restart and timer; later inputs are ignored. */
  readonly signal?: AbortSignal;
}

/**
 * Applies each service's restart policy to its replicas, from the engine's events and probe verdicts.
 * Deterministic: time comes from the Clock, randomness from `random`, effects go through `actions`.
 * `feed` never throws and never waits; restarts run in the background, at the clock's times.
 */
export class Supervisor {
  private readonly replicas = new Map<string, ReplicaRecord>();
  private readonly lifetime = new AbortController();
  private readonly regate: Regate;

  /** `project.current` is read on every decision: a live edit's new policies apply at once. */
  constructor(
    private readonly project: ProjectRef,
    private readonly opts: SupervisorOptions,
  ) {
    this.regate = new Regate(project, {
      recordsOf: (service) => this.recordsOf(service),
      isReady: (r) => this.isReady(r, this.spec(r)),
      restartNow: (r, reason) => void this.performRestart(r, reason, false),
      report: (e) => opts.actions.report(e),
    });
    if (opts.signal) this.start(opts.signal);
  }

  /** Ties the supervisor's life to `signal`, as the constructor's `signal` option does. */
  start(signal: AbortSignal): void {
    if (signal.aborted) this.close();
    else signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Cancels every pending restart and timer. */
  close(): void {
    this.lifetime.abort();
  }

  get closed(): boolean {
    return this.lifetime.signal.aborted;
  }

  /**
   * Restarts counted by an earlier supervisor of the same container (a hand-over to a new
   * `orch up -d`), so `ps` keeps counting from there. Max-attempt windows start afresh.
   */
  seedRestarts(service: string, replica: number, restarts: number): void {
    const spec = this.project.current.services[service];
    if (spec === undefined || restarts <= 0) return;
    const r = this.record(spec, replica);
    if (r.restarts < restarts) r.restarts = restarts;
  }

  feed(input: SupervisorInput): void {
    if (this.closed) return;
    const spec = this.project.current.services[input.service];
    if (!spec) return;
    switch (input.type) {
      case 'started':
        return this.onStarted(this.record(spec, input.replica), spec);
      case 'exited':
        return this.onExited(this.record(spec, input.replica), input.exitCode, input.at);
      case 'health':
        return this.onHealth(this.record(spec, input.replica), spec, input.health, input.at);
      case 'stopped-by-user':
        for (const r of this.recordsOf(input.service))
          if (input.replica === undefined || r.replica === input.replica) this.onUserStop(r);
        return;
      default: {
        const never: never = input;
        throw new Error(`unknown supervisor input ${JSON.stringify(never)}`);
      }
    }
  }

  status(service: string, replica: number): ReplicaStatus | undefined {
    return this.replicas.get(key(service, replica))?.status();
  }

  statuses(): (ReplicaStatus & { service: string; replica: number })[] {
    return [...this.replicas.values()]
      .sort((a, b) => (a.service === b.service ? a.replica - b.replica : a.service < b.service ? -1 : 1))
      .map((r) => ({ service: r.service, replica: r.replica, ...r.status() }));
  }

  // ---- inputs ----

  private onStarted(r: ReplicaRecord, spec: ServiceSpec): void {
    // Our own restart's start event: performRestart owns the state until the call resolves.
    if (r.inFlight || (r.phase === 'running' && r.up)) return;
    const restartedByOthers = r.everStarted && r.phase !== 'restarting';
    r.cancelRestart();
    if (restartedByOthers) {
      // A start by the user (or anything but us) begins afresh, as `docker start` resets Docker's count.
      r.epoch++;
      r.restartTimes = [];
      r.backoff.reset();
      r.crash.recover();
      this.regate.markWaiting(r.service);
    }
    this.comeUp(r, spec);
  }

  private onExited(r: ReplicaRecord, exitCode: number, at: number): void {
    r.up = false;
    r.lastExitCode = exitCode;
    r.cancelStable();
    this.refreshRotation(r);
    // Orch's own stop never arrives here (the engine side filters it); an exit during a restart
    // is the new container dying at once, and counts once the restart has resolved.
    if (r.inFlight) {
      r.pendingExit = { exitCode, at };
      return;
    }
    // A user's stop, an already handled failure: nothing to decide.
    if (r.phase !== 'running') return;
    if (r.waitingOn.size > 0) {
      // Its dependency is down, which likely killed it; the regate restart brings it back.
      r.phase = 'exited';
      return;
    }
    this.fail(r, { kind: 'exit', code: exitCode }, at);
  }

  private onHealth(r: ReplicaRecord, spec: ServiceSpec, health: HealthStatus, at: number): void {
    if (r.inFlight) {
      // The new container can report before restartReplica resolves; keep its latest word for then.
      r.pendingHealth = health;
      return;
    }
    if (!r.up) return;
    r.health = health;
    this.refreshRotation(r);
    switch (health) {
      case 'healthy':
        // Recovered by itself before its restart came due: restarting a healthy replica helps nobody.
        if (r.phase === 'restarting' && !r.inFlight) r.cancelRestart();
        if (r.phase === 'gave-up' || r.phase === 'restarting') r.phase = 'running';
        this.refreshRotation(r);
        this.scheduleStable(r, spec);
        this.regate.onReady(r.service);
        return;
      case 'unhealthy':
        r.cancelStable();
        this.regate.markWaiting(r.service);
        if (r.phase === 'running' && r.waitingOn.size === 0) this.fail(r, { kind: 'unhealthy' }, at);
        return;
      case 'starting':
      case 'none':
        r.cancelStable();
        return;
      default: {
        const never: never = health;
        throw new Error(`unknown health ${String(never)}`);
      }
    }
  }

  private onUserStop(r: ReplicaRecord): void {
    r.epoch++;
    r.cancelRestart();
    r.cancelStable();
    r.phase = 'stopped';
    r.waitingOn.clear();
    this.refreshRotation(r);
  }

  // ---- decisions ----

  private fail(r: ReplicaRecord, failure: Failure, at: number): void {
    const spec = this.spec(r);
    const reason = describeFailure(failure);
    r.lastReason = reason;
    const decision = decide(effectivePolicy(spec), failure, {
      restartOnUnhealthy: spec.orch.restartOnUnhealthy,
      restartTimes: r.restartTimes,
      now: at,
    });
    if (!decision.restart) {
      const where = { service: r.service, replica: r.replica };
      if (decision.why === 'exhausted') {
        r.phase = 'gave-up';
        this.opts.actions.report({ type: 'gave-up', ...where, reason, attempts: r.restartTimes.length });
      } else {
        r.phase = r.up ? 'running' : 'exited';
        this.opts.actions.report({ type: 'not-restarted', ...where, reason });
      }
      this.refreshRotation(r);
      return;
    }
    if (r.crash.record(at)) {
      this.opts.actions.report({
        type: 'crash-loop',
        service: r.service,
        replica: r.replica,
        lastReason: reason,
        failures: r.crash.recent(at),
        windowMs: CRASHLOOP_WINDOW_MS,
      });
    }
    // In a crash loop it keeps trying, but only as often as the cap allows.
    const delay = r.crash.inCrashLoop ? r.backoff.maxMs : r.backoff.next();
    this.scheduleRestart(r, delay, reason);
    this.regate.markWaiting(r.service);
  }

  private scheduleRestart(r: ReplicaRecord, delay: number, reason: string): void {
    r.cancelRestart();
    r.phase = 'restarting';
    this.refreshRotation(r);
    r.nextRestartAt = this.opts.clock.now() + delay;
    const timer = new AbortController();
    r.restartTimer = timer;
    this.opts.actions.report({
      type: 'restarting',
      service: r.service,
      replica: r.replica,
      afterMs: delay,
      reason,
    });
    this.after(delay, timer, () => {
      r.restartTimer = undefined;
      r.nextRestartAt = undefined;
      void this.performRestart(r, reason, true);
    });
  }

  /** `afterFailure`: counts towards max attempts (a regate restart does not). */
  private async performRestart(r: ReplicaRecord, reason: string, afterFailure: boolean): Promise<void> {
    const epoch = r.epoch;
    r.inFlight = true;
    r.phase = 'restarting';
    r.restarts++;
    if (afterFailure) r.restartTimes.push(this.opts.clock.now());
    this.refreshRotation(r);
    // A regate restart is a restart too: its own dependents wait for it in turn.
    this.regate.markWaiting(r.service);
    let error: unknown;
    try {
      await this.opts.actions.restartReplica(r.service, r.replica, reason);
    } catch (err) {
      error = err ?? new Error('restart failed');
    } finally {
      r.inFlight = false;
    }
    if (this.closed || r.epoch !== epoch) return;
    if (error !== undefined) {
      r.pendingExit = undefined;
      r.up = false;
      r.phase = 'running'; // so that fail() decides afresh
      const message = error instanceof Error ? error.message : String(error);
      this.fail(r, { kind: 'restart-failed', message }, this.opts.clock.now());
      return;
    }
    this.opts.actions.report({
      type: 'restarted',
      service: r.service,
      replica: r.replica,
      restarts: r.restarts,
      reason,
    });
    this.comeUp(r, this.spec(r));
    const exit = r.pendingExit;
    r.pendingExit = undefined;
    if (exit) this.onExited(r, exit.exitCode, exit.at);
  }

  private comeUp(r: ReplicaRecord, spec: ServiceSpec): void {
    r.everStarted = true;
    r.phase = 'running';
    r.up = true;
    r.health = hasHealthSource(spec) ? 'starting' : 'none';
    this.refreshRotation(r);
    if (!hasHealthSource(spec)) {
      this.scheduleStable(r, spec);
      this.regate.onReady(r.service);
    }
    const early = r.pendingHealth;
    r.pendingHealth = undefined;
    if (early !== undefined && hasHealthSource(spec)) this.onHealth(r, spec, early, this.opts.clock.now());
  }

  /** The reset rule: up and healthy (or up, with no health source) for STABLE_AFTER_MS. */
  private scheduleStable(r: ReplicaRecord, spec: ServiceSpec): void {
    r.cancelStable();
    const timer = new AbortController();
    r.stableTimer = timer;
    this.after(STABLE_AFTER_MS, timer, () => {
      r.stableTimer = undefined;
      if (!this.isReady(r, spec)) return;
      const hadBackoff = r.backoff.attempts > 0;
      r.backoff.reset();
      const wasCrashLoop = r.crash.recover();
      if (hadBackoff || wasCrashLoop)
        this.opts.actions.report({ type: 'recovered', service: r.service, replica: r.replica, wasCrashLoop });
    });
  }

  private isReady(r: ReplicaRecord, spec: ServiceSpec): boolean {
    return r.up && r.phase === 'running' && (!hasHealthSource(spec) || r.health === 'healthy');
  }

  // ---- plumbing ----

  private refreshRotation(r: ReplicaRecord): void {
    const want = this.isReady(r, this.spec(r));
    if (want === r.inRotation) return;
    r.inRotation = want;
    this.opts.actions.setRotation(r.service, r.replica, want);
  }

  private after(ms: number, timer: AbortController, fire: () => void): void {
    const signal = AbortSignal.any([timer.signal, this.lifetime.signal]);
    this.opts.clock.sleep(ms, signal).then(
      () => {
        if (!signal.aborted) fire();
      },
      () => undefined, // cancelled
    );
  }

  private record(spec: ServiceSpec, replica: number): ReplicaRecord {
    const k = key(spec.name, replica);
    let r = this.replicas.get(k);
    if (!r) {
      r = new ReplicaRecord(
        spec.name,
        replica,
        new Backoff(backoffSpec(spec), this.opts.random ?? Math.random),
      );
      this.replicas.set(k, r);
    }
    return r;
  }

  private recordsOf(service: string): ReplicaRecord[] {
    return [...this.replicas.values()].filter((r) => r.service === service);
  }

  private spec(r: ReplicaRecord): ServiceSpec {
    const spec = this.project.current.services[r.service];
    if (!spec) throw new Error(`supervisor: unknown service ${r.service}`);
    return spec;
  }
}

const key = (service: string, replica: number): string => `${service}#${replica}`;
