import { OrchError } from '../../errors/index.js';
import type { Project, ServiceSpec } from '../../model/project.js';

/** The image a service runs: deploy's content tag, else the file's image, else what orch builds. */
export function serviceImage(
  project: Project,
  service: ServiceSpec,
  images: Readonly<Record<string, string>> | undefined,
): string {
  return images?.[service.name] ?? service.image ?? `${project.name}-${service.name}`;
}

/**
 * A DNS-1123 label (Kubernetes object names, label values): compose allows `_` and `.` in
 * service names, Kubernetes does not.
 */
export function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s === '' ? 'x' : s;
}

/** Services in name order: every output is sorted, so the same input gives the same bytes. */
export function sortedServices(project: Project): ServiceSpec[] {
  return Object.keys(project.services)
    .sort()
    .map((k) => project.services[k] as ServiceSpec);
}

/** One-shot jobs: services some dependent waits on with `service_completed_successfully`. */
export function oneShotServices(project: Project): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(project.services))
    for (const [dep, d] of Object.entries(s.dependsOn))
      if (d.condition === 'service_completed_successfully') out.add(dep);
  return out;
}

/** `1500` → `1500ms`, `2000` → `2s`: compose's duration syntax, as short as exact. */
export function composeDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Code-point order: the same on every machine, whatever its locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Host processes (`x-orch.process`) run beside a local stack only: Swarm and Kubernetes run
 * images on their nodes. A process service that also has an image or build runs from that image
 * there (its `x-orch.process` is how it runs locally, nothing else reads it here); one with
 * neither would leave its dependents without it, so the export stops and names it.
 */
export function assertNoHostProcesses(project: Project, target: 'Swarm' | 'Kubernetes'): void {
  const names = sortedServices(project)
    .filter((s) => s.orch.process !== undefined && s.image === undefined && s.build === undefined)
    .map((s) => `\`${s.name}\``);
  if (names.length === 0) return;
  throw new OrchError(
    'USAGE',
    `${names.length === 1 ? 'service' : 'services'} ${names.join(', ')} ${names.length === 1 ? 'runs' : 'run'} on the host (x-orch.process): ${target} cannot run ${names.length === 1 ? 'it' : 'them'}`,
    {
      hint: `give ${names.length === 1 ? 'it' : 'each'} an image or build as well (${target} runs that, a local up still runs the process), or leave ${names.length === 1 ? 'it' : 'them'} out with a profile for the ${target} export`,
    },
  );
}
