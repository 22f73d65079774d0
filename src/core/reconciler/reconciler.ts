import type { Project } from '../../model/project.js';
import { Supervisor } from '../supervisor/index.js';
import type { EventSink } from '../events/bus.js';
import type { LiveProject } from '../live-project.js';
import type { ReplicaChange, ReplicaState, ReplicaTracker } from '../engine/replica-tracker.js';
import type { EngineDeps } from '../engine/up.js';
import type { ReplicaId } from '../runtime/port.js';
import { diffProjects, type ProjectPlan } from '../watch/plan.js';
import { replaceReplica, restartService, scaleService } from './actions.js';
import { applyPlan, type ApplyOptions } from './apply.js';
import { specOf, type StackContext } from './context.js';
import { replicaFact } from './facts.js';
import { LedgerBook, type RestartLedger } from './ledger.js';
import { Membership, type RotationPort } from './membership.js';
import { adopt, reportLastLines, restartForSupervisor } from './replica-ops.js';
import { rollService, type RollOptions } from './rollout.js';
import { statusRows, type StatusRow } from './status.js';

export interface ReconcilerOptions {
  readonly gateway?: RotationPort;
  readonly ledger?: RestartLedger;
  /** Where everything that happens to the running project is published. */
  readonly events: EventSink;
  readonly random?: () => number;
}

/**
 * The running stack under orch's care. Desired state is the live project (services, their counts
 * after `scale`, a watch edit's new version); observed state is the tracker's (every runtime's
 * events and orch's probes). Each difference becomes an action: the supervisor restarts what
 * failed (backoff, crash loop, re-gating), `scale` and a live edit create or remove replicas,
 * a rollout replaces them without a gap in the gateway, and gateway membership follows health.
 * Foreground `up` runs one in-process; `up -d` runs one in the background supervisor.
 */
export class Reconciler {
  readonly supervisor: Supervisor;
  private readonly ctx: StackContext;
  private readonly ledger: LedgerBook;
  private readonly lifetime = new AbortController();

  constructor(
    live: LiveProject,
    readonly tracker: ReplicaTracker,
    deps: Pick<EngineDeps, 'docker' | 'runtimes' | 'clock'>,
    private readonly opts: ReconcilerOptions,
  ) {
    const membership = new Membership(tracker, () => live.current, opts.events, opts.gateway);
    this.ledger = new LedgerBook(opts.ledger, tracker);
    this.supervisor = new Supervisor(live, {
      clock: deps.clock,
      ...(opts.random ? { random: opts.random } : {}),
      actions: {
        restartReplica: (service, replica) => restartForSupervisor(this.ctx, service, replica),
        setRotation: (service, replica, inRotation) => membership.setInRotation(service, replica, inRotation),
        report: (e) => {
          if (e.type === 'restarted') this.ledger.record(e.service, e.replica, e.restarts);
          opts.events.publish(e);
          if (e.type === 'crash-loop') void reportLastLines(this.ctx, e.service, e.replica);
        },
      },
    });
    this.ctx = {
      live,
      tracker,
      deps,
      events: opts.events,
      membership,
      supervisor: this.supervisor,
      staging: new Set<ReplicaId>(),
      lifetime: this.lifetime.signal,
    };
  }

  /**
   * Takes over every replica the tracker knows (adoption: nothing still right is recreated,
   * restart counts come from the ledger) and follows whatever happens to them from now on.
   */
  start(): void {
    this.supervisor.start(this.lifetime.signal);
    this.tracker.onChange((r, change) => this.observe(r, change));
    this.ledger.seed(this.supervisor);
    for (const r of this.tracker.all()) adopt(this.ctx, r);
    for (const name of Object.keys(this.current.services)) this.ctx.membership.publish(name);
  }

  close(): void {
    this.lifetime.abort();
    this.supervisor.close();
    this.tracker.close();
  }

  /** The project as it runs now (after `scale` and `applyProject`). */
  get current(): Project {
    return this.ctx.live.current;
  }

  /** Rows for `ps`: the runtimes' facts plus the supervisor's view (restarts, crash loops, waits). */
  status(): StatusRow[] {
    return statusRows(this.tracker, this.supervisor);
  }

  /** `orch restart`: one replica at a time, each healthy again before the next goes down. */
  restartService(service: string, signal: AbortSignal): Promise<void> {
    return restartService(this.ctx, service, signal);
  }

  /** `orch scale`: add replicas (in rotation once healthy) or remove the highest first. */
  scale(service: string, count: number): Promise<void> {
    return scaleService(this.ctx, service, count);
  }

  /** The dashboard's restart: a new instance of one replica, out of the gateway until it is ready. */
  replaceReplica(service: string, replica: number, signal: AbortSignal): Promise<void> {
    return replaceReplica(this.ctx, service, replica, signal);
  }

  /** Replaces the service's replicas one at a time onto its current image (after a rebuild). */
  rollService(service: string, signal: AbortSignal, opts: RollOptions = {}): Promise<void> {
    return rollService(this.ctx, specOf(this.ctx, service), signal, opts);
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
    const plan = opts.plan ?? diffProjects(this.current, next);
    // The listener first: a port that cannot be bound fails the edit before anything else changed.
    const before = this.current.orch.gateway;
    const after = next.orch.gateway;
    if (plan.gatewayChanged && before && after) await this.ctx.membership.setListener(after);
    await applyPlan(this.ctx, next, plan, signal, opts);
    return plan;
  }

  /** One observed change: published as a fact, fed to the supervisor, reflected in the gateway. */
  private observe(r: ReplicaState, change: ReplicaChange): void {
    const fact = replicaFact(r, change, this.tracker.health(r));
    if (fact) this.opts.events.publish(fact);
    // A rollout's new replica is not the supervisor's yet: only its gateway membership moves.
    if (this.ctx.staging.has(r.id)) return this.ctx.membership.publish(r.service);
    const at = this.ctx.deps.clock.now();
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
    this.ctx.membership.publish(r.service);
  }
}
