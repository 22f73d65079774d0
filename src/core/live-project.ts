import type { Project } from '../model/project.js';

/** A read-only view of the project as it runs now: what the supervisor and the tracker consult. */
export interface ProjectRef {
  readonly current: Project;
}

/**
 * The one place the running project lives. A live edit of the file, a scale or a rollout replaces
 * it here, and everything that reads it (supervisor policies, probes of new replicas, gateway
 * routes) sees the new version on its next read: there is no copy to keep in step.
 */
export class LiveProject implements ProjectRef {
  private readonly listeners = new Set<(next: Project, prev: Project) => void>();

  constructor(private project: Project) {}

  get current(): Project {
    return this.project;
  }

  set(next: Project): void {
    const prev = this.project;
    this.project = next;
    for (const l of [...this.listeners]) l(next, prev);
  }

  /** Called after each `set` with the new and the previous version; returns the unsubscribe function. */
  onChange(listener: (next: Project, prev: Project) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
