import { OrchError } from '../../../errors/index.js';
import { assertNoHostProcesses, cmp, oneShotServices, sortedServices } from '../names.js';
import { Warnings, type ExportInput, type ExportWarning } from '../types.js';
import { autoscaler } from './autoscale.js';
import type { K8sObject } from './meta.js';
import { ingress, service } from './network.js';
import { waitJobsRbac } from './rbac.js';
import { claims, configObjects } from './storage.js';
import { workload } from './workload.js';

export type { K8sObject } from './meta.js';

/** Apply order: what others reference first (kustomize orders the same way). */
const KIND_ORDER = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'Service',
  'Job',
  'Deployment',
  'HorizontalPodAutoscaler',
  'Ingress',
];

export interface KubernetesExport {
  readonly objects: readonly K8sObject[];
  readonly warnings: readonly ExportWarning[];
}

export function fileNameOf(o: K8sObject): string {
  return `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

/** kustomization.yaml listing every object file, so `kubectl apply -k DIR` applies them all. */
export function kustomization(objects: readonly K8sObject[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: objects.map(fileNameOf),
  };
}

/** The project as Kubernetes objects, sorted by kind (apply order) and name. */
export function toKubernetes(input: ExportInput): KubernetesExport {
  assertNoHostProcesses(input.project, 'Kubernetes');
  const w = new Warnings();
  const jobs = oneShotServices(input.project);
  const objects: K8sObject[] = [...configObjects(input, w), ...claims(input, w)];
  let waitsOnJobs = false;
  for (const s of sortedServices(input.project)) {
    objects.push(workload(input, s, jobs, w));
    if (!jobs.has(s.name)) objects.push(service(input, s));
    const hpa = autoscaler(input, s, jobs, w);
    if (hpa) objects.push(hpa);
    if (
      Object.entries(s.dependsOn).some(([d, dep]) => jobs.has(d) && dep.required && input.project.services[d])
    )
      waitsOnJobs = true;
  }
  if (waitsOnJobs) objects.push(...waitJobsRbac(input.project));
  (input.project.orch.gateway?.routes ?? []).forEach((r, i) => objects.push(ingress(input, r, i, w)));
  const rank = (k: string) => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  objects.sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.metadata.name, b.metadata.name));
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.name}`;
    if (seen.has(id))
      throw new OrchError(
        'USAGE',
        `two objects would both be ${id}: Kubernetes names allow only a-z, 0-9 and -`,
        {
          hint: 'rename one of the services (or volumes, secrets, configs) so the names differ after lower-casing and replacing _ and .',
        },
      );
    seen.add(id);
  }
  return { objects, warnings: w.sorted() };
}
