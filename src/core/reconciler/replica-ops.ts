import type { ServiceSpec } from '../../model/project.js';
import { OrchError, isOrchError } from '../../errors/index.js';
import { effectivePolicy } from '../supervisor/index.js';
import type { ReplicaState } from '../engine/replica-tracker.js';
import { removeReplica, startTracked } from '../engine/replicas.js';
import { graceMsOf } from '../runtime/docker.js';
import type { RuntimePort } from '../runtime/port.js';
import { specOf, type StackContext } from './context.js';

/** Stops (if it runs) and starts the same replica again; its stop and die are orch's, not news. */
export async function restartInPlace(ctx: StackContext, r: ReplicaState, spec: ServiceSpec): Promise<void> {
  const runtime = ctx.tracker.runtimeOf(r);
  await ctx.tracker.ownAction(r.id, async () => {
    if (r.state === 'running' || r.state === 'restarting') await runtime.stop(r.id, graceMsOf(spec));
    await runtime.start(r.id);
  });
  ctx.tracker.track(await runtime.inspect(r.id));
}

/** Makes replica `replica` of `spec` anew (whatever holds its place goes first) and starts it. */
export async function createAndStart(ctx: StackContext, spec: ServiceSpec, replica: number): Promise<void> {
  const runtime = ctx.deps.runtimes.of(spec);
  const existing = await runtime.list(ctx.live.current.name, { service: spec.name, replica });
  for (const c of existing) await removeReplica(runtime, c.id, spec);
  const made = await runtime.create(ctx.live.current, spec, replica);
  ctx.events.publish({ type: 'created', service: spec.name, replica, container: made.name });
  await startTracked(made, ctx.tracker, runtime);
}

/**
 * The supervisor's restart: start the replica again, or make a new one if it is gone. While the
 * engine does not answer (it is restarting) the restart waits for it instead of failing: the
 * engine's absence is no fault of the replica, and counting it would push a service that is fine
 * into a crash loop.
 */
export async function restartForSupervisor(
  ctx: StackContext,
  service: string,
  replica: number,
): Promise<void> {
  for (;;) {
    try {
      return await restartOnce(ctx, service, replica);
    } catch (err) {
      if (!isOrchError(err) || err.code !== 'ENGINE_UNREACHABLE') throw err;
      await untilRuntimeAnswers(ctx, ctx.deps.runtimes.of(specOf(ctx, service)), service);
    }
  }
}

async function restartOnce(ctx: StackContext, service: string, replica: number): Promise<void> {
  const spec = specOf(ctx, service);
  const r = ctx.tracker.of(service).find((x) => x.replica === replica);
  if (r && r.state !== 'removing') {
    const runtime = ctx.tracker.runtimeOf(r);
    try {
      await restartInPlace(ctx, r, spec);
      return;
    } catch (err) {
      // A new one only when the runtime no longer has this one (removed by hand): any other
      // failure, the engine going away included, must not cost a replica that is still right.
      const listed = await runtime.list(ctx.live.current.name, { service, replica });
      if (listed.some((c) => c.id === r.id)) throw err;
      ctx.tracker.forget(r.id);
    }
  }
  await createAndStart(ctx, spec, replica);
}

/** Asks the runtime at a growing interval (up to 2 s) until it answers or the reconciler closes. */
async function untilRuntimeAnswers(ctx: StackContext, runtime: RuntimePort, service: string): Promise<void> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    await ctx.deps.clock.sleep(delay, ctx.lifetime);
    try {
      await runtime.list(ctx.live.current.name, { service });
      return;
    } catch {
      // Still away.
    }
  }
}

/**
 * A replica found at start: running ones are supervised from here; one that already exited
 * (before any supervisor was watching, e.g. between `up -d` and the supervisor's start) goes
 * through its restart policy as if the exit had just happened.
 */
export function adopt(ctx: StackContext, r: ReplicaState): void {
  const at = ctx.deps.clock.now();
  const base = { service: r.service, replica: r.replica };
  const spec = ctx.live.current.services[r.service];
  if (r.state === 'exited' && r.snapshot.startedAt !== null && spec) {
    // Nothing to decide for a policy that never restarts (a finished job stays quiet).
    if (effectivePolicy(spec).on === 'never') return;
    ctx.supervisor.feed({ type: 'started', ...base, at });
    ctx.supervisor.feed({ type: 'exited', ...base, exitCode: r.exitCode ?? -1, at });
    return;
  }
  if (r.state !== 'running') return;
  ctx.supervisor.feed({ type: 'started', ...base, at });
  const health = ctx.tracker.health(r);
  if (health !== 'none') ctx.supervisor.feed({ type: 'health', ...base, health, at });
}

/** Resolves once replica `r`'s place runs and is healthy (or has no health source); rejects if it exits. */
export function untilReady(ctx: StackContext, r: ReplicaState, signal: AbortSignal): Promise<void> {
  const { tracker } = ctx;
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const cur = tracker.of(r.service).find((x) => x.replica === r.replica);
      if (!cur) return false;
      const h = tracker.health(cur);
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
    const off = tracker.onChange(() => {
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

/** A crash loop's `last-lines` event: what the replica printed last (nothing, if it is gone). */
export async function reportLastLines(ctx: StackContext, service: string, replica: number): Promise<void> {
  const r = ctx.tracker.of(service).find((x) => x.replica === replica);
  if (!r) return;
  const lines: string[] = [];
  try {
    const logs = ctx.tracker.runtimeOf(r).logs(r.id, { follow: false, tail: 10, timestamps: false });
    for await (const batch of logs) for (const l of batch) lines.push(l.line);
  } catch {
    return; // gone already: the crash-loop line itself says enough
  }
  ctx.events.publish({ type: 'last-lines', service, replica, lines });
}
