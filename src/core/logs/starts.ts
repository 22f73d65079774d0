import type { Clock } from '../ports.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import type { ReplicaReader } from '../runtime/all-replicas.js';
import { followEvents } from '../runtime/follow-events.js';
import type { StartFeed } from './capture.js';

/**
 * The starts a running stack's tracker sees: its event stream is the stack's one, and it
 * reconnects after an engine restart and re-reads what changed meanwhile (the supervisor's log
 * recording).
 */
export function trackerStarts(tracker: ReplicaTracker): StartFeed {
  return (onStart) => tracker.onStart((r) => onStart({ id: r.id, labels: r.snapshot.labels }));
}

/**
 * `replicas`, with the logs of a replica it never listed (one that started later: with the
 * tracker's starts, no event of the runtimes' tells it whose it is) read from the runtime the
 * tracker knows runs it.
 */
export function trackedReader(tracker: ReplicaTracker, replicas: ReplicaReader): ReplicaReader {
  return {
    list: (name, filter) => replicas.list(name, filter),
    logs: (id, opts) => {
      const r = tracker.get(id);
      return (r ? tracker.runtimeOf(r) : replicas).logs(id, opts);
    },
    events: (name, signal) => replicas.events(name, signal),
  };
}

/**
 * Replica starts from the runtimes' own event stream, for a capture with no tracker to feed it
 * (`orch logs -f`). It reconnects after the engine restarted, then reports every running replica:
 * a start made in the gap came as no event, and capture's marks make one reported twice harmless.
 */
export function runtimeStarts(
  replicas: Pick<ReplicaReader, 'list' | 'events'>,
  project: string,
  clock: Clock,
): StartFeed {
  return (onStart) => {
    const stop = new AbortController();
    followEvents((signal) => replicas.events(project, signal), clock, stop.signal, {
      onEvent: (ev) => {
        if (ev.type === 'start') onStart(ev);
      },
      onResubscribed: async () => {
        for (const r of await replicas.list(project)) if (r.state === 'running') onStart(r);
      },
    });
    return () => stop.abort();
  };
}
