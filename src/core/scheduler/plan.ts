import type { Dependency, DependencyCondition } from '../../model/project.js';
import type { DependencyMap } from '../graph.js';

/** What `scheduleUp` starts: kept here, beside the functions that read it, so the scheduler
 * imports its plan helpers and nothing imports back. */
export interface UpPlan {
  services: readonly string[];
  dependsOn: Readonly<Record<string, Readonly<Record<string, Dependency>>>>;
  /** Services with a health source (Docker healthcheck or orch probe); read for `--wait` once a
   *  service has started, so the runtime may add one it learns while preparing (the image's). */
  healthGated: ReadonlySet<string>;
  /** One-shot services; those a dependent waits on with completed_successfully are added anyway. */
  jobs?: ReadonlySet<string>;
}

export interface Edge {
  readonly on: string;
  readonly dep: Dependency;
}

/** Edges between services of the plan only: the caller has already handled anything outside it. */
export function edgesWithinPlan(plan: UpPlan): Map<string, readonly Edge[]> {
  const inPlan = new Set(plan.services);
  const out = new Map<string, readonly Edge[]>();
  for (const service of inPlan) {
    const declared = plan.dependsOn[service] ?? {};
    const edges = Object.entries(declared)
      .filter(([on]) => inPlan.has(on) && on !== service)
      .map(([on, dep]) => ({ on, dep }))
      .sort((a, b) => a.on.localeCompare(b.on));
    out.set(service, edges);
  }
  return out;
}

export function asDependencyMap(edges: ReadonlyMap<string, readonly Edge[]>): DependencyMap {
  const map: Record<string, readonly string[]> = {};
  for (const [service, list] of edges) map[service] = list.map((e) => e.on);
  return map;
}

/** Jobs are what some dependent waits on to complete, plus whatever the caller declares as one. */
export function jobsOf(plan: UpPlan, edges: ReadonlyMap<string, readonly Edge[]>): Set<string> {
  const jobs = new Set(plan.jobs ?? []);
  for (const list of edges.values())
    for (const e of list) if (e.dep.condition === 'service_completed_successfully') jobs.add(e.on);
  return jobs;
}

/** What "ready" means for `--wait`. A job's exit beats its healthcheck: it cannot stay healthy. */
export function readyCondition(
  service: string,
  plan: UpPlan,
  jobs: ReadonlySet<string>,
): DependencyCondition {
  if (jobs.has(service)) return 'service_completed_successfully';
  if (plan.healthGated.has(service)) return 'service_healthy';
  return 'service_started';
}

export function readyLabel(condition: DependencyCondition): 'healthy' | 'completed' | 'running' {
  switch (condition) {
    case 'service_healthy':
      return 'healthy';
    case 'service_completed_successfully':
      return 'completed';
    case 'service_started':
      return 'running';
    default: {
      const _exhaustive: never = condition;
      return _exhaustive;
    }
  }
}
