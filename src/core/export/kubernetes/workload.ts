import {
  routeServices,
  type Project,
  type ResourceLimits,
  type ServiceSpec,
} from '../../../model/project.js';
import { cmp, dnsLabel, serviceImage } from '../names.js';
import type { ExportInput, Warnings } from '../types.js';
import { labels, object, seconds, selector, type Json, type K8sObject } from './meta.js';
import { containerProbes } from './probes.js';
import { envConfigMapName, envData, podVolumes } from './storage.js';

/** Images of the helper init containers (override them with kustomize `images:`). */
export const WAIT_DNS_IMAGE = 'busybox:1.36';
export const WAIT_JOB_IMAGE = 'bitnami/kubectl:1.27';

export function waitJobsAccount(project: Project): string {
  return `${dnsLabel(project.name)}-wait-jobs`;
}

/** Container ports orch knows of: published, exposed, routed and probed ones. */
export function knownPorts(project: Project, s: ServiceSpec): { port: number; protocol: 'TCP' | 'UDP' }[] {
  const seen = new Map<string, { port: number; protocol: 'TCP' | 'UDP' }>();
  const add = (port: number, protocol: 'TCP' | 'UDP') => {
    if (Number.isInteger(port) && port > 0) seen.set(`${port}/${protocol}`, { port, protocol });
  };
  for (const p of s.ports) add(p.target, p.protocol === 'udp' ? 'UDP' : 'TCP');
  for (const e of s.expose) {
    const [num, proto] = e.split('/');
    add(Number(num), proto === 'udp' ? 'UDP' : 'TCP');
  }
  for (const r of project.orch.gateway?.routes ?? [])
    if (routeServices(r).includes(s.name)) add(r.port, 'TCP');
  const p = s.orch.probe;
  if (p && (p.kind === 'http' || p.kind === 'tcp')) add(p.port, 'TCP');
  return [...seen.values()].sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol));
}

/**
 * `depends_on` as init containers: a long-running dependency is waited for until its headless
 * Service resolves, which happens only once a pod is ready (its readiness probe passed); a
 * one-shot dependency until its Job completes.
 */
function waiters(input: ExportInput, s: ServiceSpec, jobs: ReadonlySet<string>): Json[] {
  const out: Json[] = [];
  for (const dep of Object.keys(s.dependsOn).sort()) {
    const d = s.dependsOn[dep];
    if (!d || !d.required || !input.project.services[dep]) continue;
    const name = dnsLabel(dep);
    if (jobs.has(dep))
      out.push({
        name: `wait-for-${name}`,
        image: WAIT_JOB_IMAGE,
        command: ['kubectl', 'wait', '--for=condition=complete', '--timeout=24h', `job/${name}`],
      });
    else
      out.push({
        name: `wait-for-${name}`,
        image: WAIT_DNS_IMAGE,
        command: [
          'sh',
          '-c',
          `until nslookup ${name}.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for ${name}; sleep 2; done`,
        ],
      });
  }
  return out;
}

function securityContext(s: ServiceSpec, w: Warnings): Json | undefined {
  const out: Json = {};
  if (s.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(s.user);
    if (m) {
      out['runAsUser'] = Number(m[1]);
      if (m[2] !== undefined) out['runAsGroup'] = Number(m[2]);
    } else w.add(s.name, 'user', `Kubernetes needs a numeric uid, not "${s.user}" (dropped)`);
  }
  if (s.capAdd.length || s.capDrop.length)
    out['capabilities'] = {
      ...(s.capAdd.length ? { add: [...s.capAdd].sort() } : {}),
      ...(s.capDrop.length ? { drop: [...s.capDrop].sort() } : {}),
    };
  return Object.keys(out).length ? out : undefined;
}

function warnUntranslated(input: ExportInput, s: ServiceSpec, w: Warnings): void {
  if (s.containerName) w.add(s.name, 'container_name', 'Kubernetes names pods itself (dropped)');
  if (s.healthcheck && !s.healthcheck.disable && s.healthcheck.test.length === 0)
    w.add(
      s.name,
      'healthcheck',
      'keeps the image’s own HEALTHCHECK, which Kubernetes ignores: give it a test',
    );
  if (s.stopSignal) w.add(s.name, 'stop_signal', 'Kubernetes always sends SIGTERM (dropped)');
  if (s.init) w.add(s.name, 'init', 'Kubernetes has no init process option (dropped)');
  if (s.build && !input.images?.[s.name])
    w.add(
      s.name,
      'build',
      `Kubernetes does not build: push ${serviceImage(input.project, s, input.images)} to a registry the cluster pulls from`,
    );
  if (s.ports.some((p) => p.published !== undefined))
    w.add(
      s.name,
      'ports.published',
      'a host port has no Kubernetes equivalent: the container port is on the Service (use the Ingress or kubectl port-forward)',
    );
  if (Object.values(s.networks).some((n) => n.aliases.length > 0))
    w.add(s.name, 'networks.aliases', 'pods are reached by their Service name only (dropped)');
  if (Object.keys(s.networks).some((n) => n !== 'default'))
    w.add(
      s.name,
      'networks',
      'Kubernetes has one flat pod network: isolation needs NetworkPolicies (not exported)',
    );
  if (s.deployRestartPolicy?.delayMs !== undefined || s.deployRestartPolicy?.windowMs !== undefined)
    w.add(
      s.name,
      'deploy.restart_policy',
      'Kubernetes restarts with its own exponential back-off (delay/window dropped)',
    );
  for (const [dep, d] of Object.entries(s.dependsOn))
    if (d.restart)
      w.add(
        s.name,
        `depends_on.${dep}.restart`,
        'Kubernetes does not restart dependents when a dependency restarts',
      );
}

function podSpec(
  input: ExportInput,
  s: ServiceSpec,
  jobs: ReadonlySet<string>,
  job: boolean,
  w: Warnings,
): Json {
  const { project } = input;
  const vols = podVolumes(input, s, w);
  const init = waiters(input, s, jobs);
  const waitsOnJob = Object.keys(s.dependsOn).some(
    (d) => jobs.has(d) && s.dependsOn[d]?.required && project.services[d],
  );
  const envKeys = Object.keys(envData(s));
  const ports = knownPorts(project, s);
  const sc = securityContext(s, w);
  const container: Json = {
    name: dnsLabel(s.name),
    image: serviceImage(project, s, input.images),
    ...(s.entrypoint ? { command: [...s.entrypoint] } : {}),
    ...(s.command ? { args: [...s.command] } : {}),
    ...(envKeys.length ? { envFrom: [{ configMapRef: { name: envConfigMapName(s) } }] } : {}),
    ...(ports.length ? { ports: ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })) } : {}),
    ...(job ? {} : containerProbes(s, w)),
    ...(vols.mounts.length ? { volumeMounts: vols.mounts } : {}),
    ...(s.workingDir ? { workingDir: s.workingDir } : {}),
    ...(sc ? { securityContext: sc } : {}),
    ...containerResources(s, w),
  };
  return {
    ...(init.length ? { initContainers: init } : {}),
    containers: [container],
    ...(vols.volumes.length ? { volumes: vols.volumes } : {}),
    ...(s.hostname ? { hostname: dnsLabel(s.hostname) } : {}),
    ...(s.stopGracePeriodMs !== undefined
      ? { terminationGracePeriodSeconds: seconds(s.stopGracePeriodMs, 0) }
      : {}),
    ...(waitsOnJob ? { serviceAccountName: waitJobsAccount(project) } : {}),
    ...(job ? { restartPolicy: jobRestart(s) === 'never' ? 'Never' : 'OnFailure' } : {}),
  };
}

function jobRestart(s: ServiceSpec): 'never' | 'on-failure' {
  const d = s.deployRestartPolicy;
  if (d) return d.condition === 'none' ? 'never' : 'on-failure';
  return s.restart.kind === 'no' ? 'never' : 'on-failure';
}

function backoffLimit(s: ServiceSpec): number {
  const d = s.deployRestartPolicy;
  if (d) return d.condition === 'none' ? 0 : (d.maxAttempts ?? 6);
  if (s.restart.kind === 'on-failure') return s.restart.maxRetries ?? 6;
  return s.restart.kind === 'no' ? 0 : 6;
}

function template(input: ExportInput, s: ServiceSpec, spec: Json): Json {
  const annotations = Object.fromEntries(
    Object.keys(s.labels)
      .sort()
      .map((k) => [k, s.labels[k] as string]),
  );
  return {
    metadata: {
      labels: selector(input.project.name, s.name),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec,
  };
}

/** A Deployment per long-running service, a Job per one-shot one. */
export function workload(
  input: ExportInput,
  s: ServiceSpec,
  jobs: ReadonlySet<string>,
  w: Warnings,
): K8sObject {
  const job = jobs.has(s.name);
  warnUntranslated(input, s, w);
  const meta = labels(input.project.name, s.name);
  const spec = podSpec(input, s, jobs, job, w);
  if (job)
    return object('batch/v1', 'Job', dnsLabel(s.name), meta, {
      spec: {
        backoffLimit: backoffLimit(s),
        ...(s.replicas !== 1 ? { completions: s.replicas, parallelism: s.replicas } : {}),
        template: template(input, s, spec),
      },
    });
  return object('apps/v1', 'Deployment', dnsLabel(s.name), meta, {
    spec: {
      replicas: s.replicas,
      selector: { matchLabels: selector(input.project.name, s.name) },
      template: template(input, s, spec),
    },
  });
}

/** `deploy.resources`: limits stay limits, reservations become requests. */
function containerResources(s: ServiceSpec, w: Warnings): Json {
  const r = s.resources;
  if (!r) return {};
  if (r.limits?.pids !== undefined)
    w.add(
      s.name,
      'deploy.resources.limits.pids',
      'Kubernetes has no per-container pids limit (it is set per node)',
    );
  const quantities = (l: ResourceLimits | undefined): Json | undefined => {
    if (!l || (l.cpus === undefined && l.memoryBytes === undefined)) return undefined;
    return {
      ...(l.cpus !== undefined ? { cpu: `${Math.round(l.cpus * 1000)}m` } : {}),
      ...(l.memoryBytes !== undefined ? { memory: String(l.memoryBytes) } : {}),
    };
  };
  const limits = quantities(r.limits);
  const requests = quantities(r.reservations);
  if (!limits && !requests) return {};
  return { resources: { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) } };
}
