import type { Project } from '../../model/project.js';
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
  /** dependency → services that depend on it with `restart: true`. */
  private readonly dependents = new Map<string, string[]>();

  constructor(
    project: Project,
    private readonly host: RegateHost,
  ) {
    this.setProject(project);
  }

  setProject(project: Project): void {
    this.dependents.clear();
    for (const [name, spec] of Object.entries(project.services))
      for (const [dep, d] of Object.entries(spec.dependsOn))
        if (d.restart) this.dependents.set(dep, [...(this.dependents.get(dep) ?? []), name]);
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
    return (this.dependents.get(dep) ?? []).flatMap((s) => this.host.recordsOf(s));
  }
}
