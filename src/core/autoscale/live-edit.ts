import type { Project } from '../../model/project.js';

/**
 * An edited project file as the running stack should take it: an autoscaled service keeps the
 * count the autoscaler gave it (brought into the new [min, max]) instead of going back to the
 * file's `deploy.replicas`, which for such a service is only the count it starts with. Without
 * this, every save would scale the service back and the autoscaler would scale it up again.
 */
export function keepAutoscaledCounts(running: Project, edited: Project): Project {
  let services: Record<string, Project['services'][string]> | undefined;
  for (const [name, next] of Object.entries(edited.services)) {
    const a = next.orch.autoscale;
    const now = running.services[name];
    if (a === undefined || now === undefined) continue;
    const replicas = Math.min(a.max, Math.max(a.min, now.replicas));
    if (replicas === next.replicas) continue;
    services ??= { ...edited.services };
    services[name] = { ...next, replicas };
  }
  return services ? { ...edited, services } : edited;
}
