import type { DependencyCondition, Project, ServiceSpec } from '../../model/project.js';
import { topologicalOrder } from '../graph.js';
import type { ServiceChange } from '../watch/plan.js';

/** How long an added service waits for its dependencies before it is left unstarted. */
export const ADDED_DEPENDENCY_TIMEOUT_MS = 120_000;

/** What starting an added service needs: the tracker's condition wait, a start, the clock. */
export interface AddedServiceHost {
  waitFor(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void>;
  createAndStart(spec: ServiceSpec, replica: number): Promise<void>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * The plan's changes with every service after the ones it depends on (in the edited project),
 * so a service added together with its dependency starts after it, as `up` would.
 */
export function inDependencyOrder(changes: readonly ServiceChange[], next: Project): ServiceChange[] {
  const deps = Object.fromEntries(
    Object.values(next.services).map((s) => [s.name, Object.keys(s.dependsOn)] as const),
  );
  let order: string[];
  try {
    order = topologicalOrder(deps);
  } catch {
    return [...changes]; // validation refuses cycles; nothing better to do here
  }
  const rank = new Map(order.map((s, i) => [s, i]));
  // Services gone from the file have no rank: they go first, so their resources free up early.
  return [...changes].sort((a, b) => (rank.get(a.service) ?? -1) - (rank.get(b.service) ?? -1));
}

/**
 * Starts an added service's replicas once each of its dependencies meets its `depends_on`
 * condition. Returns why it was not started (a required dependency failed, is missing, or took
 * longer than `timeoutMs`), or undefined once started. An optional dependency (`required:
 * false`) that fails or is missing is waited no further.
 */
export async function startAddedService(
  host: AddedServiceHost,
  spec: ServiceSpec,
  next: Project,
  signal: AbortSignal,
  timeoutMs = ADDED_DEPENDENCY_TIMEOUT_MS,
): Promise<string | undefined> {
  const timer = new AbortController();
  // Ends the waits too once the outcome is known, so none lingers on the session's signal.
  const linked = AbortSignal.any([signal, timer.signal]);
  const waits = Object.entries(spec.dependsOn).map(async ([dep, d]): Promise<string | undefined> => {
    if (!next.services[dep]) return d.required ? `${dep} is not in the project` : undefined;
    try {
      await host.waitFor(dep, d.condition, linked);
      return undefined;
    } catch (e) {
      return d.required ? `${dep} failed: ${e instanceof Error ? e.message : String(e)}` : undefined;
    }
  });
  const timedOut = host.sleep(timeoutMs, linked).then(
    () => `its dependencies were not ready within ${Math.round(timeoutMs / 1000)}s`,
    () => undefined,
  );
  let why: string | undefined;
  try {
    const all = Promise.all(waits).then((rs) => rs.find((r) => r !== undefined) ?? null);
    const first = await Promise.race([all, timedOut]);
    why = first === null ? undefined : (first ?? 'aborted');
  } finally {
    timer.abort();
  }
  if (signal.aborted) return 'aborted';
  if (why !== undefined) return why;
  for (let n = 1; n <= spec.replicas; n++) await host.createAndStart(spec, n);
  return undefined;
}
