import type { GatewayReplica } from '../gateway/membership.js';
import type { GatewayRoute, GatewaySettings } from '../../model/project.js';
import type { ReplicaState, ReplicaTracker } from '../engine/replica-tracker.js';

/** A replica as the gateway sees it: in rotation only while `healthy`. */
export type RotationReplica = GatewayReplica;

/** What the session asks of a gateway (the real one lives in src/adapters/gateway). */
export interface RotationPort {
  setReplicas(service: string, replicas: readonly RotationReplica[]): void;
  /** A live edit of the routes. */
  setRoutes(routes: readonly GatewayRoute[]): void;
  /** A live edit of the listener (port, host, timeout): bound anew before the old one lets go. */
  setListener(settings: GatewaySettings): Promise<{ host: string; port: number }>;
}

/**
 * In rotation: running, healthy (or running with no health source), and not taken out by the
 * supervisor. Anything else is out the moment it happens.
 */
export function rotationOf(
  service: string,
  tracker: ReplicaTracker,
  outOfRotation: ReadonlySet<string>,
): RotationReplica[] {
  return tracker.of(service).map((r: ReplicaState) => {
    const health = tracker.health(r);
    const up = r.state === 'running' && (health === 'healthy' || health === 'none');
    return {
      id: r.id,
      name: r.name,
      service: r.service,
      replica: r.replica,
      healthy: up && !outOfRotation.has(`${r.service}/${r.replica}`),
      ports: r.snapshot.ports,
    };
  });
}
