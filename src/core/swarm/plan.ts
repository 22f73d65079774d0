import type { Project } from '../../model/project.js';
import { topologicalOrder } from '../graph.js';
import type { SwarmTask } from './ports.js';

/**
 * Deploy waves: each service goes in the wave after the last of its dependencies, so a wave
 * only starts once everything it needs has converged (Swarm itself ignores depends_on).
 */
export function deployWaves(project: Project): string[][] {
  const deps = Object.fromEntries(
    Object.values(project.services).map((s) => [
      s.name,
      Object.keys(s.dependsOn).filter((d) => d in project.services),
    ]),
  );
  const depth = new Map<string, number>();
  for (const name of topologicalOrder(deps)) {
    const d = Math.max(-1, ...(deps[name] ?? []).map((x) => depth.get(x) ?? 0));
    depth.set(name, d + 1);
  }
  const waves: string[][] = [];
  for (const [name, d] of depth) (waves[d] ??= []).push(name);
  return waves.map((w) => w.sort());
}

export type Convergence =
  | { readonly state: 'converged' }
  | { readonly state: 'waiting'; readonly detail: string }
  | { readonly state: 'failed'; readonly detail: string };

/**
 * Whether a service has converged: as many running tasks as replicas (Swarm reports a task with a
 * healthcheck as `starting` until it is healthy, so running means healthy), or, for a one-shot
 * job, a task that completed. A job's failed task fails the deploy only once Swarm gives up.
 */
export function convergence(
  tasks: readonly SwarmTask[],
  service: string,
  replicas: number,
  oneShot: boolean,
): Convergence {
  const mine = tasks.filter((t) => t.service === service);
  if (oneShot) {
    // The newest attempt decides: after a redeploy an older attempt may have completed already.
    const newest = [...mine].sort((a, b) =>
      a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0,
    )[0];
    if (newest?.state === 'complete') return { state: 'converged' };
    const failed = mine.filter((t) => t.state === 'failed' || t.state === 'rejected');
    const live = mine.some((t) => t.desired === 'running');
    if (failed.length > 0 && !live)
      return { state: 'failed', detail: failed[0]?.error ?? `task ${failed[0]?.state ?? 'failed'}` };
    return { state: 'waiting', detail: `${failed.length} failed attempt(s)` };
  }
  const running = mine.filter((t) => t.desired === 'running' && t.state === 'running').length;
  if (running >= replicas) return { state: 'converged' };
  const last = mine.filter((t) => t.error).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  return {
    state: 'waiting',
    detail: `${running}/${replicas} running${last?.error ? `; last error: ${last.error}` : ''}`,
  };
}
