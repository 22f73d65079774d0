/**
 * The dependency graph of services: edges point from a service to what it depends on.
 * Pure; used by validation (cycles), the scheduler (start order) and `down` (reverse order).
 */
export type DependencyMap = Readonly<Record<string, readonly string[]>>;

/** The first cycle found, as a closed path (`['alpha', 'gamma', 'beta', 'alpha']`), or undefined. */
export function findCycle(deps: DependencyMap): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const s = state.get(node);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const dep of deps[node] ?? []) {
      if (!(dep in deps)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of Object.keys(deps).sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Dependencies before dependents; ties in name order so output is stable. Throws on a cycle. */
export function topologicalOrder(deps: DependencyMap): string[] {
  const cycle = findCycle(deps);
  if (cycle) throw new Error(`dependency cycle: ${cycle.join(' → ')}`);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (node: string): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const dep of [...(deps[node] ?? [])].sort()) if (dep in deps) visit(dep);
    out.push(node);
  };
  for (const node of Object.keys(deps).sort()) visit(node);
  return out;
}

/** The named services plus everything they depend on, transitively. */
export function withDependencies(deps: DependencyMap, roots: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (node: string): void => {
    if (out.has(node)) return;
    out.add(node);
    for (const dep of deps[node] ?? []) visit(dep);
  };
  roots.forEach(visit);
  return out;
}
