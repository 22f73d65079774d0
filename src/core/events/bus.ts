import type { OrchEvent, OrchEventBody } from '../../model/events.js';
import type { Clock } from '../ports.js';

export type EventListener = (e: OrchEvent) => void;

/** Where events are published: the supervisor, the gateway membership, the watcher. */
export interface EventSink {
  publish(body: OrchEventBody): OrchEvent;
}

/** Where presenters and sinks listen: the foreground view, the control API, the dashboard. */
export interface EventSource {
  /** Every event from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Kept events (oldest first), those at or after `sinceMs` when given. */
  history(sinceMs?: number): OrchEvent[];
}

/** How many events the bus keeps for `orch events --since` (about an hour of a busy stack). */
export const DEFAULT_HISTORY = 2000;

/**
 * The running stack's one event stream: stamps each event with the clock's time, keeps a bounded
 * history for replay, and hands every event to each listener in publish order. A listener that
 * throws is its own problem: the others still get the event.
 */
export class EventBus implements EventSink, EventSource {
  private readonly listeners = new Set<EventListener>();
  private readonly kept: { at: number; event: OrchEvent }[] = [];

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly capacity = DEFAULT_HISTORY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`capacity must be an integer ≥ 0, got ${capacity}`);
  }

  publish(body: OrchEventBody): OrchEvent {
    const at = this.clock.now();
    const event = stamp(new Date(at).toISOString(), body);
    if (this.capacity > 0) {
      this.kept.push({ at, event });
      if (this.kept.length > this.capacity) this.kept.shift();
    }
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A presenter that fails (a closed pipe) must not stop supervision or the other listeners.
      }
    }
    return event;
  }

  /**
   * Events an earlier supervisor of the same stack published (read back from its log), kept as
   * history before this bus publishes anything of its own; listeners are not told of them.
   */
  seed(events: readonly OrchEvent[]): void {
    if (this.kept.length > 0) throw new Error('seed() must come before the first publish');
    for (const event of events.slice(Math.max(0, events.length - this.capacity))) {
      const at = Date.parse(event.time);
      if (!Number.isNaN(at)) this.kept.push({ at, event });
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** How many listeners follow the stream now (a dashboard's "n clients", tests waiting for one). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  history(sinceMs?: number): OrchEvent[] {
    const from = sinceMs ?? Number.NEGATIVE_INFINITY;
    return this.kept.filter((k) => k.at >= from).map((k) => k.event);
  }
}

/** `time`, `type`, `service`, `replica` first (they lead every JSON line), then the rest. */
function stamp(time: string, body: OrchEventBody): OrchEvent {
  const { type, ...rest } = body;
  const head: Record<string, unknown> = { time, type };
  if ('service' in rest) head['service'] = rest.service;
  if ('replica' in rest) head['replica'] = rest.replica;
  return { ...head, ...rest } as OrchEvent;
}
