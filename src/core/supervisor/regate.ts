import type { Project } from '../../model/project.js';
import type { ProjectRef } from '../live-project.js';
import type { ReplicaRecord } from './replica.js';
import type { SupervisorDecision } from '../../model/events.js';

export interface RegateHost {
  recordsOf(service: string): ReplicaRecord[];
  /** Up, and healthy (or with no health source). */
  isReady(r: ReplicaRecord): boolean;
  /** Restart now, not counted as a failure retry. */
  restartNow(r: ReplicaRecord, reason: string): void;
  report(event: SupervisorDecision): void;
}

/**
 * `depends_on.<dep>.restart: true`: when `dep` is restarted or goes unhealthy, its dependents wait
 * (and keep running) until every replica of `dep` is ready again, then are restarted once.
 * Dependents without `restart: true` are never touched.
 */
export class Regate {
  /** dependency → services that depend on it with `restart: true`, for the project they came from. */
  private dependents = new Map<string, string[]>();
  private dependentsOf: Project | undefined;

  constructor(
    private readonly project: ProjectRef,
    private readonly host: RegateHost,
  ) {}

  /** Recomputed when the live project was replaced (a live edit, a scale). */
  private dependentsMap(): Map<string, string[]> {
    const project = this.project.current;
    if (this.dependentsOf === project) return this.dependents;
    const map = new Map<string, string[]>();
    for (const [name, spec] of Object.entries(project.services))
      for (const [dep, d] of Object.entries(spec.dependsOn))
        if (d.restart) map.set(dep, [...(map.get(dep) ?? []), name]);
    this.dependents = map;
    this.dependentsOf = project;
    return map;
  }

  /** `dep` went down or unhealthy. */
  markWaiting(dep: string): void {
    for (const r of this.replicasOf(dep)) {
      if (r.phase === 'stopped' || r.waitingOn.has(dep)) continue;
      r.waitingOn.add(dep);
      // Its own pending restart would only meet the dependency down; the regate restart replaces it.
      if (r.restartTimer) {
        r.cancelRestart();
        r.phase = r.up ? 'running' : 'exited';
      }
      this.host.report({
        type: 'waiting',
        service: r.service,
        replica: r.replica,
        on: [...r.waitingOn].sort(),
      });
    }
  }

  /** One replica of `dep` became ready: if all of them are, release its dependents. */
  onReady(dep: string): void {
    const reps = this.host.recordsOf(dep);
    if (reps.length === 0 || !reps.every((r) => this.host.isReady(r))) return;
    for (const r of this.replicasOf(dep)) {
      if (!r.waitingOn.delete(dep) || r.waitingOn.size > 0 || r.phase === 'stopped' || r.inFlight) continue;
      this.host.report({ type: 'regated', service: r.service, replica: r.replica, after: dep });
      this.host.restartNow(r, `dependency ${dep} is ready again`);
    }
  }

  private replicasOf(dep: string): ReplicaRecord[] {
    return (this.dependentsMap().get(dep) ?? []).flatMap((s) => this.host.recordsOf(s));
  }
}
