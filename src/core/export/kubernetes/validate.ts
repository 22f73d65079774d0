import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { OrchError } from '../../../errors/index.js';
import type { K8sObject } from './meta.js';

interface Model {
  validate(): void;
}
type Ctor = new (data: never) => Model;

const MODELS: Readonly<Record<string, Ctor>> = {
  'apps/v1/Deployment': Deployment as unknown as Ctor,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as Ctor,
  'batch/v1/Job': Job as unknown as Ctor,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as Ctor,
  'v1/ConfigMap': ConfigMap as unknown as Ctor,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Ctor,
  'v1/Secret': Secret as unknown as Ctor,
  'v1/Service': Service as unknown as Ctor,
  'v1/ServiceAccount': ServiceAccount as unknown as Ctor,
};

/** RFC 1123 label / subdomain: what the API server demands of these objects' names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A reason this object is not valid Kubernetes, or undefined. */
export function problemOf(o: K8sObject): string | undefined {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return `no schema for ${o.apiVersion} ${o.kind}`;
  if (!DNS_LABEL.test(o.metadata.name)) return `name "${o.metadata.name}" is not a DNS-1123 label`;
  try {
    new Model(o as never).validate();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Every object against the OpenAPI schemas of the pinned kubernetes-models release. orch made
 * these objects, so an invalid one is orch's bug (exit 70), never the user's.
 */
export function assertValid(objects: readonly K8sObject[]): void {
  const problems = objects.flatMap((o) => {
    const p = problemOf(o);
    return p === undefined ? [] : [`${o.kind}/${o.metadata.name}: ${p}`];
  });
  if (problems.length > 0)
    throw new OrchError('INTERNAL', `orch produced invalid Kubernetes objects: ${problems.join('; ')}`);
}
