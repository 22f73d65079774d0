import type { GatewayRoute, Project, ServiceSpec } from '../../model/project.js';
import { serviceUrlVar } from './container-spec.js';

/**
 * What a host process gets to reach the containers it depends on. A process on the host cannot
 * resolve `api` (that name lives on the project's network), but it can reach the gateway: per
 * dependency that is a container with a route of its own, `ORCH_<SERVICE>_URL` is the gateway's
 * address plus the route's path prefix, and `ORCH_GATEWAY_URL` the gateway itself. Only when the
 * gateway is served (`gatewayPort`: the port it listens on); a variable of the same name in the
 * service's own environment wins, as for containers.
 */
export function gatewayEnvOf(
  project: Project,
  service: ServiceSpec,
  gatewayPort: number | undefined,
): Record<string, string> {
  const gw = project.orch.gateway;
  // 0 is "any free port", not an address yet: nothing to tell.
  if (gw === undefined || gatewayPort === undefined || gatewayPort === 0) return {};
  const base = `http://${loopbackOf(gw.host)}:${gatewayPort}`;
  const out: Record<string, string> = { ORCH_GATEWAY_URL: base };
  for (const dep of Object.keys(service.dependsOn).sort()) {
    const spec = project.services[dep];
    if (spec === undefined || spec.orch.process !== undefined) continue;
    const route = gw.routes.find((r) => ownRoute(r, dep));
    if (route) out[serviceUrlVar(dep)] = base + prefixOf(route);
  }
  for (const k of Object.keys(out)) if (k in service.environment) delete out[k];
  return out;
}

/**
 * A route that sends every request under its prefix to this one service: not one matched by
 * Host (a request to 127.0.0.1 would not match it), not a weighted split over several services.
 */
function ownRoute(r: GatewayRoute, service: string): boolean {
  return r.service === service && r.services === undefined && r.host === undefined;
}

/** `/api` and `/api/` → `/api`; `/` or none → nothing, so `${URL}/visit` reads right either way. */
function prefixOf(r: GatewayRoute): string {
  return (r.path ?? '/').replace(/\/+$/, '');
}

/** The address a host process reaches the gateway at: loopback for a wildcard bind. */
function loopbackOf(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
