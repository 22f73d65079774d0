import type { Project, ServiceSpec } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import type { EngineDeps } from '../engine/up.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import type { EventSink } from '../events/bus.js';
import type { LiveProject } from '../live-project.js';
import type { ReplicaId } from '../runtime/port.js';
import type { Supervisor } from '../supervisor/index.js';
import type { Membership } from './membership.js';

/** What the reconciler's parts share: the one live project and everything that acts on it. */
export interface StackContext {
  /** The one copy of the running project: the supervisor, the tracker and the gateway read it. */
  readonly live: LiveProject;
  /** Observed state: every replica on every runtime, from their events and orch's probes. */
  readonly tracker: ReplicaTracker;
  readonly deps: Pick<EngineDeps, 'docker' | 'runtimes' | 'clock'>;
  readonly events: EventSink;
  readonly membership: Membership;
  readonly supervisor: Supervisor;
  /** New replicas of a rollout: in the gateway once healthy, not yet the supervisor's. */
  readonly staging: Set<ReplicaId>;
  /** Aborts when the reconciler closes: anything waiting (for an engine to come back) ends. */
  readonly lifetime: AbortSignal;
}

/** The service as the live project has it; a name it does not have is the user's mistake. */
export function specOf(ctx: StackContext, service: string): ServiceSpec {
  const project = ctx.live.current;
  const s = project.services[service];
  if (!s)
    throw new OrchError('USAGE', `no service named "${service}"`, {
      hint: `services: ${Object.keys(project.services).join(', ')}`,
    });
  return s;
}

/** Replaces the live project; when its routes changed, the gateway gets them and every service anew. */
export function useProject(ctx: StackContext, next: Project): void {
  const routesBefore = routeShape(ctx.live.current);
  ctx.live.set(next);
  if (routeShape(next) !== routesBefore) ctx.membership.routesChanged(next);
}

/** The routes as they matter to the gateway (where they were written does not). */
function routeShape(p: Project): string {
  return JSON.stringify((p.orch.gateway?.routes ?? []).map(({ pos: _pos, ...r }) => r));
}
