import type { GatewayChange } from '../../model/events.js';
import type { GatewayRoute } from '../../model/project.js';
import { hostAddress, type GatewayReplica } from '../gateway/membership.js';

/**
 * Turns each new gateway membership of a service into `gateway-in` / `gateway-out` events: a
 * replica is in while it is healthy and publishes a port some route of its service sends to.
 */
export class GatewayWatch {
  /** service → replica number → the address traffic goes to. */
  private readonly members = new Map<string, Map<number, string>>();

  update(
    service: string,
    replicas: readonly GatewayReplica[],
    routes: readonly GatewayRoute[],
  ): GatewayChange[] {
    const before = this.members.get(service) ?? new Map<number, string>();
    const after = new Map<number, string>();
    for (const r of replicas) {
      if (!r.healthy) continue;
      const address = routedAddress(r, routes);
      if (address !== undefined) after.set(r.replica, address);
    }
    this.members.set(service, after);
    const changes: GatewayChange[] = [];
    for (const [replica, address] of before)
      if (after.get(replica) !== address) changes.push({ type: 'gateway-out', service, replica, address });
    for (const [replica, address] of after)
      if (before.get(replica) !== address) changes.push({ type: 'gateway-in', service, replica, address });
    return changes;
  }
}

function routedAddress(r: GatewayReplica, routes: readonly GatewayRoute[]): string | undefined {
  for (const route of routes) {
    const p = r.ports.find((x) => x.containerPort === route.port && x.protocol === 'tcp');
    if (p !== undefined) return `${hostAddress(p)}:${p.hostPort}`;
  }
  return undefined;
}
