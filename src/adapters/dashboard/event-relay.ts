import type { DashboardEvent, DashboardEvents } from './source.js';

/**
 * A small stamped event stream with bounded history, for hosts that hand the dashboard their
 * events one callback at a time rather than as a stream with history of their own.
 */
export class EventRelay implements DashboardEvents {
  private readonly listeners = new Set<(e: DashboardEvent) => void>();
  private readonly kept: DashboardEvent[] = [];

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = 2000,
  ) {}

  publish<T extends { readonly type: string }>(body: T): void {
    const e = { time: new Date(this.now()).toISOString(), ...body } as DashboardEvent;
    this.kept.push(e);
    if (this.kept.length > this.capacity) this.kept.shift();
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // one failing listener must not keep the event from the others
      }
    }
  }

  subscribe(listener: (e: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  history(sinceMs?: number): readonly DashboardEvent[] {
    return sinceMs === undefined ? [...this.kept] : this.kept.filter((e) => Date.parse(e.time) >= sinceMs);
  }
}
