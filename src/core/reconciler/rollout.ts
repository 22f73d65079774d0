import type { ServiceSpec } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import type { ReplicaState } from '../engine/replica-tracker.js';
import { removeReplica, startTracked } from '../engine/replicas.js';
import type { ReplicaId, RuntimePort } from '../runtime/port.js';
import type { StackContext } from './context.js';
import { adopt } from './replica-ops.js';

export interface RollOptions {
  /** How long a new replica may take to become healthy (default 120s; unhealthy fails at once). */
  readonly readyTimeoutMs?: number;
  /** Time the gateway gets to finish requests already sent to an old replica before it stops. */
  readonly drainMs?: number;
  readonly onStep?: (step: string) => void;
  /** Stop each old replica before its successor starts (a service no gateway sends traffic to). */
  readonly inPlace?: boolean;
}

/** A rollout needs the old and the new replica side by side: a fixed ctx port or name forbids that. */
export function canRoll(spec: ServiceSpec): boolean {
  return (
    !spec.containerName && !spec.ports.some((p) => p.published !== undefined && !p.published.includes('-'))
  );
}

/**
 * Replaces a service's replicas one at a time: the new one starts beside the old (which is renamed
 * out of the way, so the new one gets the compose name), joins the gateway once healthy, then the
 * old one drains and stops. If a new replica never gets healthy, it is removed, the old one keeps
 * serving (under its own name again) and the error says why, with its last log lines.
 */
export async function rollService(
  ctx: StackContext,
  spec: ServiceSpec,
  signal: AbortSignal,
  opts: RollOptions = {},
): Promise<void> {
  const runtime = ctx.deps.runtimes.of(spec);
  // As `up` labels them: a later `up` then keeps what the rollout made.
  const made = { runtime, hash: await runtime.configHash(ctx.live.current, spec) };
  const olds = ctx.tracker.of(spec.name);
  for (let n = 1; n <= spec.replicas; n++) {
    const old = olds.find((r) => r.replica === n);
    if (!opts.inPlace && canRoll(spec)) await rollOne(ctx, spec, n, old, made, signal, opts);
    else await replaceInPlace(ctx, spec, n, old, made, signal, opts);
  }
}

interface Made {
  readonly runtime: RuntimePort;
  readonly hash: string;
}

async function rollOne(
  ctx: StackContext,
  spec: ServiceSpec,
  n: number,
  old: ReplicaState | undefined,
  made: Made,
  signal: AbortSignal,
  opts: RollOptions,
): Promise<void> {
  const { docker } = ctx.deps;
  const { runtime } = made;
  // A container's name is unique on the engine: the old one steps aside for its successor.
  const parked =
    old?.runtime === 'container' ? `${old.name}-old-${ctx.deps.clock.now().toString(36)}` : undefined;
  if (old && parked) await docker.renameContainer(old.id, parked);
  let id: ReplicaId | undefined;
  try {
    const fresh = await runtime.create(ctx.live.current, spec, n, { configHash: made.hash });
    id = fresh.id;
    ctx.events.publish({ type: 'created', service: spec.name, replica: n, container: fresh.name });
    ctx.staging.add(id);
    await startTracked(fresh, ctx.tracker, runtime);
    rolloutStep(ctx, spec, n, 'started');
    opts.onStep?.(`${spec.name}-${n}: new replica started`);
    await waitReady(ctx, id, signal, opts.readyTimeoutMs ?? 120_000);
  } catch (e) {
    if (id !== undefined) {
      ctx.staging.delete(id);
      ctx.tracker.forget(id);
      await runtime.remove(id, { graceMs: 0 }).catch(() => undefined);
      ctx.membership.publish(spec.name);
    }
    if (old && parked) await docker.renameContainer(old.id, old.name).catch(() => undefined);
    throw e;
  }
  ctx.staging.delete(id);
  const fresh = ctx.tracker.all().find((r) => r.id === id);
  if (fresh) adopt(ctx, fresh);
  ctx.membership.publish(spec.name);
  rolloutStep(ctx, spec, n, 'healthy');
  opts.onStep?.(`${spec.name}-${n}: new replica healthy, in the gateway`);
  if (!old) return;
  rolloutStep(ctx, spec, n, 'stopping');
  ctx.membership.drain(old.id, true);
  ctx.membership.publish(spec.name);
  await ctx.deps.clock.sleep(opts.drainMs ?? 500, signal).catch(() => undefined);
  // Forgotten first: its stop and removal are orch's doing, not a crash to restart.
  ctx.tracker.forget(old.id);
  ctx.membership.drain(old.id, false);
  await removeReplica(ctx.tracker.runtimeOf(old), old.id, spec);
  ctx.membership.publish(spec.name);
  rolloutStep(ctx, spec, n, 'replaced');
  opts.onStep?.(`${spec.name}-${n}: old replica removed`);
}

function rolloutStep(
  ctx: StackContext,
  spec: ServiceSpec,
  n: number,
  phase: 'started' | 'healthy' | 'stopping' | 'replaced',
): void {
  ctx.events.publish({ type: 'rollout', service: spec.name, replica: n, cause: 'update', phase });
}

/** For a service that cannot have two replicas at once: stop the old, then start the new. */
async function replaceInPlace(
  ctx: StackContext,
  spec: ServiceSpec,
  n: number,
  old: ReplicaState | undefined,
  made: Made,
  signal: AbortSignal,
  opts: RollOptions,
): Promise<void> {
  if (old) {
    rolloutStep(ctx, spec, n, 'stopping');
    ctx.membership.drain(old.id, true);
    ctx.membership.publish(spec.name);
    ctx.tracker.forget(old.id);
    ctx.membership.drain(old.id, false);
    await removeReplica(ctx.tracker.runtimeOf(old), old.id, spec);
  }
  const fresh = await made.runtime.create(ctx.live.current, spec, n, { configHash: made.hash });
  const id = fresh.id;
  ctx.events.publish({ type: 'created', service: spec.name, replica: n, container: fresh.name });
  await startTracked(fresh, ctx.tracker, made.runtime);
  rolloutStep(ctx, spec, n, 'started');
  ctx.membership.publish(spec.name);
  await waitReady(ctx, id, signal, opts.readyTimeoutMs ?? 120_000);
  rolloutStep(ctx, spec, n, 'replaced');
  opts.onStep?.(`${spec.name}-${n}: recreated`);
}

/** Resolves when the container runs and is healthy (or has no health source); rejects saying why not. */
export async function waitReady(
  ctx: Pick<StackContext, 'tracker' | 'deps'>,
  id: ReplicaId,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const { tracker } = ctx;
  const verdict = (): 'ready' | 'pending' | string => {
    const r = tracker.all().find((x) => x.id === id);
    if (!r) return 'it was removed';
    if (r.state === 'exited' || r.state === 'dead') return `it exited with code ${r.exitCode ?? '?'}`;
    const h = tracker.health(r);
    if (h === 'unhealthy') return 'it is unhealthy';
    return r.state === 'running' && (h === 'healthy' || h === 'none') ? 'ready' : 'pending';
  };
  const stop = new AbortController();
  const outcome = await new Promise<string>((resolve) => {
    const check = (): void => {
      const v = verdict();
      if (v !== 'pending') resolve(v);
    };
    const off = tracker.onChange(check);
    stop.signal.addEventListener('abort', off, { once: true });
    ctx.deps.clock.sleep(timeoutMs, AbortSignal.any([signal, stop.signal])).then(
      () => resolve(`it was not healthy after ${Math.round(timeoutMs / 1000)}s`),
      () => resolve(signal.aborted ? 'aborted' : 'pending'),
    );
    check();
  });
  stop.abort();
  if (outcome === 'ready') return;
  const name = tracker.all().find((x) => x.id === id)?.name ?? id.slice(0, 12);
  throw new OrchError('STACK_FAILED', `new replica ${name}: ${outcome}${await lastLines(ctx, id)}`);
}

async function lastLines(ctx: Pick<StackContext, 'tracker' | 'deps'>, id: ReplicaId): Promise<string> {
  try {
    const r = ctx.tracker.all().find((x) => x.id === id);
    if (!r) return '';
    const lines: string[] = [];
    for await (const batch of ctx.tracker
      .runtimeOf(r)
      .logs(id, { follow: false, tail: 10, timestamps: false }))
      for (const l of batch) lines.push(`    ${l.line}`);
    return lines.length > 0 ? `; last log lines:\n${lines.join('\n')}` : '; it logged nothing';
  } catch {
    return '';
  }
}
