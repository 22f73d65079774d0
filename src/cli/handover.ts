import type { ContainerSnapshot } from '../core/ports.js';
import type { ReplicaState } from '../core/engine/replica-tracker.js';

/**
 * What `up -d` tells the background supervisor along with the containers: the runs (container
 * and start time) whose start check already passed in `up`. The supervisor takes those as its
 * own first pass instead of running the test again: under load an exec is 0.3–0.5 s, and
 * `up --wait` waits for the supervisor's verdict before it returns. A container started again
 * meanwhile is a new run and is checked afresh.
 */
export interface Handover {
  readonly startChecked: readonly string[];
}

export function runKey(c: Pick<ContainerSnapshot, 'id' | 'startedAt'>): string {
  return `${c.id}@${c.startedAt ?? ''}`;
}

/** The handover in a POST /adopt body; anything malformed reads as nothing handed over. */
export function handoverOf(body: unknown): Handover {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)['startChecked'] : undefined;
  return { startChecked: Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [] };
}

/** What `up` hands over about the replicas it tracked. */
export function handoverFrom(replicas: readonly ReplicaState[]): Handover {
  return {
    startChecked: replicas
      .filter((r) => r.state === 'running' && r.startCheckPassed === true)
      .map((r) => runKey(r.snapshot)),
  };
}
