import type { ReplicaFact } from '../../model/events.js';
import type { HealthStatus } from '../ports.js';
import type { ReplicaChange, ReplicaState } from '../engine/replica-tracker.js';

/**
 * A tracker change as the event stream tells it, or undefined for changes that are no news
 * (health back to `starting` after a restart).
 */
export function replicaFact(
  r: ReplicaState,
  change: ReplicaChange,
  health: HealthStatus,
): ReplicaFact | undefined {
  const at = { service: r.service, replica: r.replica };
  switch (change.kind) {
    case 'started':
      return { type: 'started', ...at, container: r.name };
    case 'exited':
      return { type: 'died', ...at, exitCode: change.exitCode };
    case 'stopped':
      return { type: 'stopped', ...at };
    case 'removed':
      return { type: 'removed', ...at };
    case 'health':
      if (health === 'healthy') return { type: 'healthy', ...at };
      if (health === 'unhealthy') return { type: 'unhealthy', ...at, output: unhealthyOutput(r) };
      return undefined;
    default: {
      const never: never = change;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
}

/** What the failing health source printed: orch's probe when it is the one failing, else Docker's. */
function unhealthyOutput(r: ReplicaState): string {
  if (r.probe === 'unhealthy') return r.probeHistory.last()?.detail ?? '';
  return r.dockerHealthOutput ?? '';
}
