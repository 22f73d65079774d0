import type { ServiceSpec } from '../../../model/project.js';
import { dnsLabel } from '../names.js';
import type { ExportInput, Warnings } from '../types.js';
import { labels, object, seconds, type K8sObject } from './meta.js';

/**
 * `x-orch.autoscale` as a HorizontalPodAutoscaler (autoscaling/v2) on the service's Deployment,
 * where the target has a Kubernetes counterpart: `cpu_percent` is the Resource metric's
 * averageUtilization. In-flight requests and p95 latency are the gateway's figures; Kubernetes
 * sees them only through a custom metrics adapter (Prometheus Adapter, KEDA), which orch cannot
 * assume, so those services get a warning and no HPA. The cooldown becomes the scale-down
 * stabilization window, the closest HPA knob; scale-ups are not delayed (HPA's own default).
 */
export function autoscaler(
  input: ExportInput,
  s: ServiceSpec,
  jobs: ReadonlySet<string>,
  w: Warnings,
): K8sObject | undefined {
  const a = s.orch.autoscale;
  if (a === undefined) return undefined;
  if (jobs.has(s.name)) {
    w.add(s.name, 'x-orch.autoscale', 'a one-shot service becomes a Job, which cannot autoscale (dropped)');
    return undefined;
  }
  if (a.target.metric !== 'cpu_percent') {
    w.add(
      s.name,
      `x-orch.autoscale.target.${a.target.metric}`,
      `${a.target.metric} is measured by orch's gateway; Kubernetes needs a custom metrics adapter for it, so no HorizontalPodAutoscaler is written (the Deployment keeps ${s.replicas} replica${s.replicas === 1 ? '' : 's'})`,
    );
    return undefined;
  }
  if (s.resources?.reservations?.cpus === undefined)
    w.add(
      s.name,
      'x-orch.autoscale.target.cpu_percent',
      "Kubernetes computes CPU utilization against the pod's CPU request: set deploy.resources.reservations.cpus, or the HorizontalPodAutoscaler cannot act",
    );
  const name = dnsLabel(s.name);
  return object('autoscaling/v2', 'HorizontalPodAutoscaler', name, labels(input.project.name, s.name), {
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: Math.round(a.target.value) },
          },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: seconds(a.cooldownMs, 0) } },
    },
  });
}
