import { routeServices, type Project, type ServiceResources, type ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { ContainerCreateSpec, DockerHealthcheck, MountSpec, PortBinding } from '../ports.js';
import { DEFAULT_START_INTERVAL_MS } from '../probes/start.js';
import { containerName } from './naming.js';

export interface ReplicaInput {
  readonly project: Project;
  readonly service: ServiceSpec;
  readonly replica: number;
  readonly image: string;
  readonly configHash: string;
  /** Content of the secrets and configs the service mounts, by absolute target path. */
  readonly files: readonly { readonly path: string; readonly content: Buffer; readonly mode: number }[];
  /** The `PORT` of replica 1 of each host-process service, where known (for `ORCH_<SERVICE>_URL`). */
  readonly hostProcessPorts?: Readonly<Record<string, number>>;
}

/** Everything Docker needs to create one replica. Pure: the same input gives the same spec. */
export function containerCreateSpec(input: ReplicaInput): ContainerCreateSpec {
  const { project, service, replica } = input;
  const mode = networkMode(project, service);
  const networks = mode === undefined ? serviceNetworks(project, service) : [];
  const [first, ...rest] = networks;
  if (!first && mode === undefined) throw new Error(`service ${service.name} has no network`);
  const spec: ContainerCreateSpec = {
    name: containerName(project, service, replica),
    image: input.image,
    labels: {
      ...service.labels,
      [Label.project]: project.name,
      [Label.service]: service.name,
      [Label.replica]: String(replica),
      [Label.configHash]: input.configHash,
    },
    env: [
      ...hostProcessEnv(project, service, input.hostProcessPorts ?? {}),
      ...Object.entries(service.environment)
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([k, v]) => `${k}=${v}`),
    ],
    // The engine refuses `expose` in a namespace borrowed from another container.
    exposedPorts: mode?.startsWith('container:') ? [] : exposedPorts(service),
    // A borrowed or host namespace publishes nothing (the engine refuses or discards it).
    portBindings: mode === undefined ? portBindings(project, service) : [],
    mounts: service.volumes.map((v) => mount(project, v)),
    ...(first ? { network: first } : {}),
    ...(mode !== undefined ? { networkMode: mode } : {}),
    extraNetworks: rest,
    capAdd: service.capAdd,
    capDrop: service.capDrop,
    ...(hasHostProcesses(project) && mode !== 'host' ? { extraHosts: [HOST_GATEWAY] } : {}),
    files: input.files,
    ...(service.command ? { cmd: service.command } : {}),
    ...(service.entrypoint ? { entrypoint: service.entrypoint } : {}),
    ...(service.user ? { user: service.user } : {}),
    ...(service.workingDir ? { workingDir: service.workingDir } : {}),
    ...(service.hostname ? { hostname: service.hostname } : {}),
    ...(service.stopSignal ? { stopSignal: service.stopSignal } : {}),
    ...(service.stopGracePeriodMs !== undefined
      ? { stopTimeoutS: Math.ceil(service.stopGracePeriodMs / 1000) }
      : {}),
    ...(service.init !== undefined ? { init: service.init } : {}),
    ...(service.resources ? { resources: engineResources(service.resources) } : {}),
  };
  const hc = engineHealthcheck(service);
  return hc ? { ...spec, healthcheck: hc } : spec;
}

/** How a container reaches the host (Docker Desktop defines it; on Linux the engine maps `host-gateway`). */
const HOST_GATEWAY = 'host.docker.internal:host-gateway';

export function hasHostProcesses(project: Project): boolean {
  return Object.values(project.services).some((s) => s.orch.process !== undefined);
}

/**
 * `ORCH_<SERVICE>_URL`, how one side reaches a service on the other (a container a host process,
 * a host process a container): upper case, anything but A-Z and 0-9 as `_`.
 */
export function serviceUrlVar(service: string): string {
  return `ORCH_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * Per host-process dependency, its URL as the container reaches it: the host gateway and the
 * `PORT` of its replica 1. A variable of that name in the service's own environment wins.
 */
function hostProcessEnv(
  project: Project,
  service: ServiceSpec,
  ports: Readonly<Record<string, number>>,
): string[] {
  return Object.keys(service.dependsOn)
    .filter((d) => project.services[d]?.orch.process !== undefined && ports[d] !== undefined)
    .filter((d) => !(serviceUrlVar(d) in service.environment))
    .sort()
    .map((d) => `${serviceUrlVar(d)}=http://host.docker.internal:${ports[d]}`);
}

/** As `docker compose up` applies them: CPU and memory limits, memory reservation, pids. */
function engineResources(r: ServiceResources): NonNullable<ContainerCreateSpec['resources']> {
  const l = r.limits;
  return {
    ...(l?.cpus !== undefined ? { nanoCpus: Math.round(l.cpus * 1e9) } : {}),
    ...(l?.memoryBytes !== undefined ? { memoryBytes: l.memoryBytes } : {}),
    ...(r.reservations?.memoryBytes !== undefined
      ? { memoryReservationBytes: r.reservations.memoryBytes }
      : {}),
    ...(l?.pids !== undefined ? { pidsLimit: l.pids } : {}),
  };
}

/** `service:NAME` becomes the engine's `container:` form, naming NAME's first replica. */
function networkMode(project: Project, service: ServiceSpec): string | undefined {
  const mode = service.networkMode;
  if (mode === undefined || !mode.startsWith('service:')) return mode;
  const target = project.services[mode.slice('service:'.length)];
  if (!target) throw new Error(`service ${service.name}: network_mode ${mode} names no service`);
  return `container:${containerName(project, target, 1)}`;
}

function serviceNetworks(project: Project, service: ServiceSpec): { name: string; aliases: string[] }[] {
  const keys = Object.keys(service.networks);
  const names = keys.length > 0 ? keys : ['default'];
  return names.map((key) => {
    const net = project.networks[key];
    // Compose makes every service reachable by its name on each network it joins.
    const aliases = [service.name, ...(service.networks[key]?.aliases ?? [])];
    return { name: net?.name ?? `${project.name}_${key}`, aliases: [...new Set(aliases)] };
  });
}

/**
 * Ports a route or an http/tcp probe needs are published on an ephemeral 127.0.0.1 port, so the
 * host reaches every replica the same way on Linux and on Docker Desktop.
 */
export function portsOrchNeeds(project: Project, service: ServiceSpec): number[] {
  const needed = new Set<number>();
  for (const r of project.orch.gateway?.routes ?? [])
    if (routeServices(r).includes(service.name)) needed.add(r.port);
  const probe = service.orch.probe;
  if (probe && (probe.kind === 'http' || probe.kind === 'tcp')) needed.add(probe.port);
  return [...needed].sort((a, b) => a - b);
}

function portBindings(project: Project, service: ServiceSpec): PortBinding[] {
  const fromFile: PortBinding[] = service.ports.map((p) => ({
    containerPort: p.target,
    protocol: p.protocol,
    hostIp: p.hostIp,
    hostPort: p.published ?? '',
  }));
  const extra: PortBinding[] = portsOrchNeeds(project, service)
    .filter((port) => !service.ports.some((p) => p.target === port && p.protocol === 'tcp'))
    .map((port) => ({ containerPort: port, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }));
  return [...fromFile, ...extra];
}

function exposedPorts(service: ServiceSpec): string[] {
  const out = new Set<string>();
  for (const e of service.expose) out.add(e.includes('/') ? e : `${e}/tcp`);
  return [...out];
}

function mount(project: Project, v: ServiceSpec['volumes'][number]): MountSpec {
  switch (v.type) {
    case 'bind':
      return { type: 'bind', source: v.source, target: v.target, readOnly: v.readOnly };
    case 'volume': {
      if (v.source === undefined) return { type: 'volume', target: v.target, readOnly: v.readOnly };
      const name = project.volumes[v.source]?.name ?? `${project.name}_${v.source}`;
      return { type: 'volume', source: name, target: v.target, readOnly: v.readOnly };
    }
    case 'tmpfs':
      return { type: 'tmpfs', target: v.target };
    default: {
      const never: never = v;
      throw new Error(`unknown mount ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The file's healthcheck as the engine takes it (`NONE` turns the image's off). The process
 * runtime runs the same on the host.
 */
export function engineHealthcheck(service: ServiceSpec): DockerHealthcheck | undefined {
  const hc = service.healthcheck;
  if (!hc) return undefined;
  if (hc.disable) return { test: ['NONE'] };
  if (hc.test.length === 0) return undefined;
  // Engines of API 1.44+ run the test every start interval during the start period; without one
  // from the file they would wait Docker's 5 s default. orch's own start checks (probes/start.ts)
  // cover older engines and files without a start period.
  const startInterval = hc.startIntervalMs ?? (hc.startPeriodMs ? DEFAULT_START_INTERVAL_MS : undefined);
  return {
    test: hc.test,
    ...(hc.intervalMs !== undefined ? { intervalMs: hc.intervalMs } : {}),
    ...(hc.timeoutMs !== undefined ? { timeoutMs: hc.timeoutMs } : {}),
    ...(hc.retries !== undefined ? { retries: hc.retries } : {}),
    ...(hc.startPeriodMs !== undefined ? { startPeriodMs: hc.startPeriodMs } : {}),
    ...(startInterval !== undefined ? { startIntervalMs: startInterval } : {}),
  };
}
