import { dnsLabel } from '../names.js';

export type Json = Record<string, unknown>;

/** One Kubernetes object as plain data: what is validated, sorted and written. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

export const PART_OF = 'app.kubernetes.io/part-of';
export const NAME = 'app.kubernetes.io/name';
export const COMPONENT = 'app.kubernetes.io/component';

/** Labels every object carries: the project, and the service (or volume, secret…) it belongs to. */
export function labels(project: string, name: string, component?: string): Record<string, string> {
  return {
    ...(component ? { [COMPONENT]: component } : {}),
    [NAME]: dnsLabel(name),
    [PART_OF]: dnsLabel(project),
  };
}

/** The pod selector of a service: its name within its project. */
export function selector(project: string, service: string): Record<string, string> {
  return { [NAME]: dnsLabel(service), [PART_OF]: dnsLabel(project) };
}

export function object(
  apiVersion: string,
  kind: string,
  name: string,
  objLabels: Record<string, string>,
  body: Json,
): K8sObject {
  return { apiVersion, kind, metadata: { name, labels: objLabels }, ...body };
}

/** Whole seconds, at least `min`: Kubernetes probe timings have no sub-second resolution. */
export function seconds(ms: number, min = 1): number {
  return Math.max(min, Math.ceil(ms / 1000));
}
