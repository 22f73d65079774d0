import { findCycle } from '../core/graph.js';
import { hasHealthSource, type GatewayRoute, type Project } from '../model/project.js';
import { didYouMean, type PathReporter } from './diagnostics.js';
import { checkAutoscale } from './check-autoscale.js';
import type { KeyPath } from './positions.js';
import { hostPorts } from './normalize/ports.js';
import type { NormalizedService } from './normalize/service.js';

/**
 * Checks that need the whole project: every problem is reported (not just the first) at the line
 * that causes it.
 */
export function checkProject(
  project: Project,
  services: ReadonlyMap<string, NormalizedService>,
  r: PathReporter,
): void {
  checkCycle(services, r);
  checkHealthGates(project, services, r);
  checkHostPorts(services, r);
  checkSingletons(services, r);
  checkRoutes(project, r);
  checkNetworkModeReach(project, r);
  checkAutoscale(project, services, r);
}

function checkCycle(services: ReadonlyMap<string, NormalizedService>, r: PathReporter): void {
  const graph = Object.fromEntries([...services].map(([n, s]) => [n, s.deps.map((d) => d.name)]));
  const cycle = findCycle(graph);
  if (!cycle) return;
  const [first, second] = cycle;
  const entry = services.get(first ?? '')?.deps.find((d) => d.name === second);
  if (entry)
    r.errorAtKey(
      entry.path,
      `dependency cycle: ${cycle.join(' → ')}`,
      'remove one of these depends_on entries',
    );
}

function checkHealthGates(
  project: Project,
  services: ReadonlyMap<string, NormalizedService>,
  r: PathReporter,
): void {
  for (const [name, s] of services) {
    for (const d of s.deps) {
      const target = project.services[d.name];
      // Without a healthcheck in the file the image's own HEALTHCHECK may serve (as in compose):
      // `up` inspects the image. Only a file that disables it leaves nothing to wait for.
      if (d.dep.condition !== 'service_healthy' || !target || hasHealthSource(target)) continue;
      if (target.healthcheck?.disable !== true || target.replicas === 0) continue;
      r.errorAtKey(
        d.path,
        `\`${name}\` waits for \`${d.name}\` to be healthy, but \`${d.name}\` disables its healthcheck and has no x-orch probe`,
        `remove \`healthcheck.disable\`, add an x-orch.probe to \`${d.name}\`, or use condition: service_started`,
      );
    }
  }
}

function checkHostPorts(services: ReadonlyMap<string, NormalizedService>, r: PathReporter): void {
  const taken = new Map<string, string>();
  for (const [name, s] of services) {
    s.spec.ports.forEach((p, i) => {
      const path = s.portPaths[i] ?? ['services', name, 'ports'];
      for (const port of hostPorts(p.published)) {
        const key = `${p.hostIp}:${port}/${p.protocol}`;
        const owner = taken.get(key);
        if (owner !== undefined) {
          r.error(path, `host port ${key} is already published by \`${owner}\``);
          return;
        }
        taken.set(key, name);
      }
    });
  }
}

/** A fixed host port or container name can belong to one container only. */
function checkSingletons(services: ReadonlyMap<string, NormalizedService>, r: PathReporter): void {
  for (const [name, s] of services) {
    if (s.spec.replicas <= 1) continue;
    s.spec.ports.forEach((p, i) => {
      // A host range leaves room for several replicas, as compose allows.
      if (hostPorts(p.published).length !== 1) return;
      r.error(
        s.portPaths[i] ?? ['services', name, 'ports'],
        `\`${name}\` has ${s.spec.replicas} replicas but publishes fixed host port ${p.published ?? ''}`,
        'publish only the container port (e.g. "80") or a host range, and let the gateway route to the replicas',
      );
    });
    if (s.spec.containerName !== undefined) {
      r.errorAtKey(
        ['services', name, 'container_name'],
        `\`${name}\` has ${s.spec.replicas} replicas but a fixed container_name`,
        'remove container_name or use a single replica',
      );
    }
  }
}

function checkRoutes(project: Project, r: PathReporter): void {
  const routes = project.orch.gateway?.routes ?? [];
  routes.forEach((route, i) => {
    for (const [service, key] of routeServiceKeys(route, i)) {
      // A route with no service at all already has its own error.
      if (service === '' || service in project.services) continue;
      r.error(
        key,
        `gateway route names unknown service \`${service}\``,
        didYouMean(service, Object.keys(project.services)),
      );
    }
  });
}

/** Each service a route names, with the key it is written at (`service`, or `services[j].service`). */
function routeServiceKeys(route: GatewayRoute, i: number): [string, KeyPath][] {
  const at = ['x-orch', 'gateway', 'routes', i];
  if (route.services === undefined) return [[route.service, [...at, 'service']]];
  return route.services.map((b, j) => [b.service, [...at, 'services', j, 'service']]);
}

/**
 * orch reaches routes and http/tcp probes through a published port, which a container in another
 * namespace (`network_mode`) cannot have: say so now instead of a probe that never passes.
 */
function checkNetworkModeReach(project: Project, r: PathReporter): void {
  for (const s of Object.values(project.services)) {
    if (s.networkMode === undefined) continue;
    const probe = s.orch.probe;
    if (probe && (probe.kind === 'http' || probe.kind === 'tcp')) {
      r.errorAtKey(
        ['services', s.name, 'x-orch', 'probe'],
        `\`${s.name}\` has network_mode \`${s.networkMode}\`, so orch cannot reach its ${probe.kind} probe port`,
        'use a healthcheck or an exec/log probe for this service',
      );
    }
  }
  (project.orch.gateway?.routes ?? []).forEach((route, i) => {
    for (const [service, key] of routeServiceKeys(route, i)) {
      const mode = project.services[service]?.networkMode;
      if (mode === undefined) continue;
      r.error(
        key,
        `gateway route to \`${service}\`, which has network_mode \`${mode}\` and so no port orch can reach`,
        'route to the service whose network it shares, or drop network_mode',
      );
    }
  });
}
