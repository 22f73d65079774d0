import { routeServices, type GatewayRoute, type GatewaySettings, type Project } from '../../model/project.js';
import type { GatewayReplica } from '../gateway/membership.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import type { EventSink } from '../events/bus.js';
import type { ReplicaId } from '../runtime/port.js';
import { GatewayWatch } from './gateway-events.js';

/** A replica as the gateway sees it: in rotation only while `healthy`. */
export type RotationReplica = GatewayReplica;

/** What the reconciler asks of a gateway (the real one lives in src/adapters/gateway). */
export interface RotationPort {
  setReplicas(service: string, replicas: readonly RotationReplica[]): void;
  /** A live edit of the routes. */
  setRoutes(routes: readonly GatewayRoute[]): void;
  /** A live edit of the listener (port, host, timeout): bound anew before the old one lets go. */
  setListener(settings: GatewaySettings): Promise<{ host: string; port: number }>;
}

/**
 * Who is in the gateway: a replica is in while it runs and is healthy (or has no health source),
 * unless the supervisor took it out (restarting, waiting on a dependency), an action holds it out
 * (`orch restart`), or it is an old replica draining in a rollout. Each change of a service's
 * membership goes to the gateway and out as `gateway-in` / `gateway-out` events.
 */
export class Membership {
  private readonly outOfRotation = new Set<string>();
  /** Old replicas of a rollout: out of the gateway while their last requests finish. */
  private readonly draining = new Set<ReplicaId>();
  private readonly watch = new GatewayWatch();

  constructor(
    private readonly tracker: ReplicaTracker,
    private readonly project: () => Project,
    private readonly events: EventSink,
    private readonly gateway: RotationPort | undefined,
  ) {}

  get enabled(): boolean {
    return this.gateway !== undefined;
  }

  /** Whether the gateway sends traffic to this service (a rollout then keeps one replica serving). */
  routes(service: string): boolean {
    return (
      this.enabled &&
      (this.project().orch.gateway?.routes ?? []).some((r) => routeServices(r).includes(service))
    );
  }

  /** The supervisor's word on one replica. */
  setInRotation(service: string, replica: number, inRotation: boolean): void {
    const key = `${service}/${replica}`;
    if (inRotation) this.outOfRotation.delete(key);
    else this.outOfRotation.add(key);
    this.publish(service);
  }

  /** Keeps one replica out of the gateway while `fn` works on it, and puts it back however `fn` ends. */
  async outWhile<T>(service: string, replica: number, fn: () => Promise<T>): Promise<T> {
    const key = `${service}/${replica}`;
    this.outOfRotation.add(key);
    this.publish(service);
    try {
      return await fn();
    } finally {
      this.outOfRotation.delete(key);
      this.publish(service);
    }
  }

  /** Takes a replica out for good (it is being removed). */
  takeOut(service: string, replica: number): void {
    this.outOfRotation.add(`${service}/${replica}`);
    this.publish(service);
  }

  drain(id: ReplicaId, on: boolean): void {
    if (on) this.draining.add(id);
    else this.draining.delete(id);
  }

  /** Routes changed by a live edit: the gateway gets them, and every service is published again. */
  routesChanged(next: Project): void {
    if (!this.gateway) return;
    this.gateway.setRoutes(next.orch.gateway?.routes ?? []);
    for (const name of Object.keys(next.services)) this.publish(name);
  }

  setListener(settings: GatewaySettings): Promise<unknown> {
    return this.gateway ? this.gateway.setListener(settings) : Promise.resolve();
  }

  /**
   * Tells the gateway the service's replicas as they are now. `staged`: new replicas of a rollout,
   * in once healthy although the supervisor has not taken them over yet.
   */
  publish(service: string): void {
    if (!this.gateway) return;
    const replicas = this.tracker.of(service).map((r): RotationReplica => {
      const health = this.tracker.health(r);
      const up = r.state === 'running' && (health === 'healthy' || health === 'none');
      return {
        id: r.id,
        name: r.name,
        service: r.service,
        replica: r.replica,
        healthy: up && !this.draining.has(r.id) && !this.outOfRotation.has(`${r.service}/${r.replica}`),
        ports: r.snapshot.ports,
      };
    });
    this.gateway.setReplicas(service, replicas);
    const routes = (this.project().orch.gateway?.routes ?? []).filter((r) =>
      routeServices(r).includes(service),
    );
    for (const e of this.watch.update(service, replicas, routes)) this.events.publish(e);
  }
}
