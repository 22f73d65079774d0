import type { ServiceSpec } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import { removeReplica } from '../engine/replicas.js';
import { specOf, useProject, type StackContext } from './context.js';
import { createAndStart, restartInPlace, untilReady } from './replica-ops.js';

/**
 * `orch scale` and a live edit's new count: the desired count goes into the live project, then the
 * observed replicas are brought to it: surplus ones removed (highest first, out of the gateway
 * before they stop), missing ones created and started (in the gateway once healthy).
 */
export async function scaleService(ctx: StackContext, service: string, count: number): Promise<void> {
  const spec = specOf(ctx, service);
  if (count > 1 && (spec.containerName || spec.ports.some((p) => p.published && !p.published.includes('-'))))
    throw new OrchError('USAGE', `service "${service}" cannot have ${count} replicas`, {
      hint: 'a fixed host port or container_name allows one replica only',
    });
  const from = ctx.tracker.of(service).length;
  const scaled: ServiceSpec = { ...spec, replicas: count };
  const project = ctx.live.current;
  useProject(ctx, { ...project, services: { ...project.services, [service]: scaled } });
  const current = ctx.tracker.of(service);
  for (const r of current.filter((x) => x.replica > count).sort((a, b) => b.replica - a.replica)) {
    ctx.supervisor.feed({ type: 'stopped-by-user', service, replica: r.replica });
    ctx.membership.takeOut(service, r.replica);
    await ctx.tracker.ownAction(r.id, () => removeReplica(ctx.tracker.runtimeOf(r), r.id, scaled));
    ctx.tracker.forget(r.id);
  }
  const have = new Set(current.map((r) => r.replica));
  for (let n = 1; n <= count; n++) if (!have.has(n)) await createAndStart(ctx, scaled, n);
  ctx.membership.publish(service);
  ctx.events.publish({ type: 'scaled', service, from, to: count });
}

/** A service gone from the edited file: every replica out of the gateway, then removed. */
export async function removeService(ctx: StackContext, service: string): Promise<void> {
  // Already gone from the current project: the replicas' own grace period is not known.
  const spec = ctx.live.current.services[service];
  for (const r of ctx.tracker.of(service)) {
    ctx.supervisor.feed({ type: 'stopped-by-user', service, replica: r.replica });
    ctx.tracker.forget(r.id);
    ctx.membership.publish(service);
    await removeReplica(ctx.tracker.runtimeOf(r), r.id, spec);
  }
  ctx.membership.publish(service);
}

/** `orch restart`: one replica at a time, each healthy again before the next goes down. */
export async function restartService(ctx: StackContext, service: string, signal: AbortSignal): Promise<void> {
  const spec = specOf(ctx, service);
  for (const r of ctx.tracker.of(service)) {
    const step = restartStep(ctx, service, r.replica);
    await ctx.membership.outWhile(service, r.replica, async () => {
      step('stopping');
      await restartInPlace(ctx, r, spec);
      await untilReady(ctx, r, signal);
    });
    step('healthy');
  }
}

/**
 * The dashboard's restart: replica `replica` gets a new instance (out of the gateway meanwhile),
 * and resolves once that one is ready. Restart counts begin afresh on it, as for any recreation.
 */
export async function replaceReplica(
  ctx: StackContext,
  service: string,
  replica: number,
  signal: AbortSignal,
): Promise<void> {
  const spec = specOf(ctx, service);
  const step = restartStep(ctx, service, replica);
  await ctx.membership.outWhile(service, replica, async () => {
    const old = ctx.tracker.of(service).find((r) => r.replica === replica);
    if (old) {
      step('stopping');
      ctx.supervisor.feed({ type: 'stopped-by-user', service, replica });
      await ctx.tracker.ownAction(old.id, () => removeReplica(ctx.tracker.runtimeOf(old), old.id, spec));
      ctx.tracker.forget(old.id);
      step('replaced');
    }
    await createAndStart(ctx, spec, replica);
    step('started');
    const fresh = ctx.tracker.of(service).find((r) => r.replica === replica);
    if (fresh) await untilReady(ctx, fresh, signal);
  });
  step('healthy');
}

/** A `rollout` event of a restart (`orch restart` or the dashboard's) for one replica. */
function restartStep(
  ctx: StackContext,
  service: string,
  replica: number,
): (phase: 'stopping' | 'replaced' | 'started' | 'healthy') => void {
  return (phase) => void ctx.events.publish({ type: 'rollout', service, replica, cause: 'restart', phase });
}
