import type { Project } from '../../model/project.js';

export interface ServiceTimes {
  /** Milliseconds since the start of `up`. */
  created?: number;
  started?: number;
  ready?: number;
}

export interface Timeline {
  readonly totalMs: number;
  readonly services: Readonly<Record<string, ServiceTimes>>;
  /** The chain of services that decided when the stack was ready, first dependency first. */
  readonly criticalPath: readonly string[];
}

/** The critical path: from the last service to be ready, follow the dependency that was ready last. */
export function criticalPath(project: Project, times: Readonly<Record<string, ServiceTimes>>): string[] {
  const readyAt = (s: string): number => times[s]?.ready ?? times[s]?.started ?? -1;
  const names = Object.keys(times);
  if (names.length === 0) return [];
  let current = names.reduce((a, b) => (readyAt(b) > readyAt(a) ? b : a));
  const path = [current];
  for (;;) {
    const deps = Object.keys(project.services[current]?.dependsOn ?? {}).filter((d) => d in times);
    if (deps.length === 0) break;
    current = deps.reduce((a, b) => (readyAt(b) > readyAt(a) ? b : a));
    if (path.includes(current)) break;
    path.unshift(current);
  }
  return path;
}
