import type { Project } from '../model/project.js';
import type { PathReporter } from './diagnostics.js';
import { hostPorts } from './normalize/ports.js';
import type { NormalizedService } from './normalize/service.js';

/**
 * `x-orch.autoscale` against the rest of the file: a service that can have only one container
 * cannot scale, and a gateway figure needs a gateway route to be measured at.
 */
export function checkAutoscale(
  project: Project,
  services: ReadonlyMap<string, NormalizedService>,
  r: PathReporter,
): void {
  for (const [name, s] of services) {
    const a = s.spec.orch.autoscale;
    if (a === undefined) continue;
    const at = ['services', name, 'x-orch', 'autoscale'];
    if (a.max > 1) {
      const fixed = s.spec.ports.find((p) => hostPorts(p.published).length === 1);
      if (fixed)
        r.errorAtKey(
          at,
          `\`${name}\` autoscales up to ${a.max} replicas but publishes fixed host port ${fixed.published ?? ''}`,
          'publish only the container port (e.g. "80") and reach the replicas through the gateway',
        );
      if (s.spec.containerName !== undefined)
        r.errorAtKey(
          at,
          `\`${name}\` autoscales up to ${a.max} replicas but has a fixed container_name`,
          'remove container_name (each replica gets its own name)',
        );
    }
    const metric = a.target.metric;
    const routed = (project.orch.gateway?.routes ?? []).some((route) => route.service === name);
    if (metric !== 'cpu_percent' && !routed)
      r.errorAtKey(
        [...at, 'target', metric],
        `\`${name}\` autoscales on ${metric}, which the gateway measures, but no gateway route reaches \`${name}\``,
        `add an x-orch.gateway route to \`${name}\`, or use target: { cpu_percent: N }`,
      );
  }
}
