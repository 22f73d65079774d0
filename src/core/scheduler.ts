import type { DependencyCondition } from '../model/project.js';
import { topologicalOrder } from './graph.js';
import {
  asDependencyMap,
  edgesWithinPlan,
  jobsOf,
  readyCondition,
  readyLabel,
  type Edge,
  type UpPlan,
} from './scheduler/plan.js';

export type { UpPlan };

/** What the scheduler asks of the engine; the scheduler itself only decides *when*. */
export interface ServiceRuntime {
  /** Create/start (or reuse) all replicas of the service. Resolves once they are started. */
  start(service: string, signal: AbortSignal): Promise<void>;
  /** Resolves when the service meets `condition` (service_started: its replicas are running or have run;
   *  service_healthy: every replica healthy; service_completed_successfully: every replica exited 0).
   *  Rejects with ServiceFailure when it cannot (exited non-zero, died, went unhealthy...). */
  waitFor(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void>;
}

export class ServiceFailure extends Error {
  override readonly name = 'ServiceFailure';
  constructor(
    readonly service: string,
    readonly reason: string,
  ) {
    super(`${service}: ${reason}`);
  }
}

export type ReadyKind = 'healthy' | 'completed' | 'running';

export type SchedulerEvent =
  | { type: 'waiting'; service: string; on: string[] }
  | { type: 'starting'; service: string }
  | { type: 'started'; service: string }
  | { type: 'ready'; service: string; condition: ReadyKind }
  | { type: 'failed'; service: string; reason: string }
  | { type: 'skipped'; service: string; because: string }
  | { type: 'warning'; service: string; message: string };

export type ServiceOutcome =
  | { state: 'started' }
  | { state: 'ready'; condition: ReadyKind }
  | { state: 'failed'; reason: string }
  | { state: 'skipped'; because: string };

export interface UpOutcome {
  ok: boolean;
  services: Readonly<Record<string, ServiceOutcome>>;
}

export interface ScheduleOptions {
  signal: AbortSignal;
  /** Also wait until each service is ready (healthy / completed / running), as `up --wait` does. */
  waitReady: boolean;
  onEvent: (e: SchedulerEvent) => void;
}

/** A dependency's verdict for its dependents: met, or not met for a reason they can repeat. */
type Gate = { ok: true } | { ok: false; because: string };
const MET: Gate = { ok: true };

/**
 * Starts the plan's services, each the moment all of its dependencies meet their conditions
 * (no waves, no polling), independents in parallel. A required dependency that fails skips its
 * dependents; an optional one only warns. Rejects with the signal's AbortError when aborted, after
 * which no further `start` is called.
 */
export async function scheduleUp(
  plan: UpPlan,
  runtime: ServiceRuntime,
  opts: ScheduleOptions,
): Promise<UpOutcome> {
  const { signal, onEvent } = opts;
  signal.throwIfAborted();
  const edges = edgesWithinPlan(plan);
  const order = topologicalOrder(asDependencyMap(edges));
  const jobs = jobsOf(plan, edges);
  const outcomes = new Map<string, ServiceOutcome>();
  const starts = new Map<string, Promise<Gate>>();
  const conditions = new Map<string, Promise<Gate>>();

  const fail = (service: string, reason: string): void => {
    const prior = outcomes.get(service)?.state;
    if (prior === 'failed' || prior === 'skipped') return;
    outcomes.set(service, { state: 'failed', reason });
    onEvent({ type: 'failed', service, reason });
  };

  /** Runtime errors while aborting are the abort's echo, not the service's failure. */
  const failure = (service: string, e: unknown): Gate => {
    if (signal.aborted) return { ok: false, because: 'aborted' };
    const reason = reasonOf(e);
    fail(service, reason);
    return { ok: false, because: `${service} failed: ${reason}` };
  };

  const started = (service: string): Promise<Gate> => {
    let p = starts.get(service);
    if (!p) {
      p = startWhenUnblocked(service);
      starts.set(service, p);
    }
    return p;
  };

  // Memoized per (service, condition) so dependents sharing a condition share one wait.
  const meets = (service: string, condition: DependencyCondition): Promise<Gate> => {
    const key = `${service}\0${condition}`;
    let p = conditions.get(key);
    if (!p) {
      p = started(service).then(async (gate) => {
        if (!gate.ok) return gate;
        try {
          await runtime.waitFor(service, condition, signal);
          return MET;
        } catch (e) {
          return failure(service, e);
        }
      });
      conditions.set(key, p);
    }
    return p;
  };

  const unblocked = (service: string, list: readonly Edge[]): Promise<Gate> =>
    new Promise((resolve) => {
      let pending = list.length;
      let settled = false;
      for (const { on, dep } of list) {
        void meets(on, dep.condition).then((gate) => {
          if (settled) return;
          if (!gate.ok && !signal.aborted) {
            if (dep.required) {
              settled = true;
              resolve(gate);
              return;
            }
            onEvent({
              type: 'warning',
              service,
              message: `optional dependency ${gate.because}; starting anyway`,
            });
          }
          if (--pending === 0) {
            settled = true;
            resolve(MET);
          }
        });
      }
    });

  async function startWhenUnblocked(service: string): Promise<Gate> {
    const list = edges.get(service) ?? [];
    if (list.length > 0) {
      const gate = await unblocked(service, list);
      if (signal.aborted) return { ok: false, because: 'aborted' };
      if (!gate.ok) {
        outcomes.set(service, { state: 'skipped', because: gate.because });
        onEvent({ type: 'skipped', service, because: gate.because });
        return { ok: false, because: `${service} was skipped` };
      }
    }
    if (signal.aborted) return { ok: false, because: 'aborted' };
    onEvent({ type: 'starting', service });
    try {
      await runtime.start(service, signal);
    } catch (e) {
      return failure(service, e);
    }
    if (signal.aborted) return { ok: false, because: 'aborted' };
    if (!outcomes.has(service)) outcomes.set(service, { state: 'started' });
    onEvent({ type: 'started', service });
    return MET;
  }

  const ready = async (service: string): Promise<void> => {
    // Decided once started: the runtime may learn a health source (the image's) while preparing.
    if (!(await started(service)).ok) return;
    const condition = readyCondition(service, plan, jobs);
    const gate = await meets(service, condition);
    if (!gate.ok || signal.aborted || outcomes.get(service)?.state !== 'started') return;
    const kind = readyLabel(condition);
    outcomes.set(service, { state: 'ready', condition: kind });
    onEvent({ type: 'ready', service, condition: kind });
  };

  for (const service of order) {
    const on = (edges.get(service) ?? []).map((e) => e.on);
    if (on.length > 0) onEvent({ type: 'waiting', service, on });
  }
  const work = order.map((s) => (opts.waitReady ? ready(s) : started(s)));
  await untilDoneOrAborted(
    // Waits a skipped dependent no longer needs still run to their end, so every outcome is final.
    Promise.all(work).then(() => Promise.all(conditions.values())),
    signal,
  );

  const services: Record<string, ServiceOutcome> = {};
  for (const s of order) services[s] = outcomes.get(s) ?? { state: 'failed', reason: 'not scheduled' };
  const ok = Object.values(services).every((o) => o.state === 'started' || o.state === 'ready');
  return { ok, services };
}

function untilDoneOrAborted(work: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(signal.reason);
        else resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function reasonOf(e: unknown): string {
  if (e instanceof ServiceFailure) return e.reason;
  return e instanceof Error ? e.message : String(e);
}
