import { routeServices, type Project, type ResourceLimits, type ServiceSpec } from '../../model/project.js';
import { combinedHealthcheck, type ContainerHealth } from './health.js';
import { assertNoHostProcesses, composeDuration, serviceImage, sortedServices } from './names.js';
import { Warnings, type ExportInput, type ExportWarning } from './types.js';
import { compact } from '../compact.js';

type Json = Record<string, unknown>;

/** The stack file `docker stack deploy` reads: compose file format 3.x, which Swarm still requires. */
export const STACK_FILE_VERSION = '3.9';

/** Where the gateway service of a stack comes from (deploy builds it; export names it). */
export interface SwarmGateway {
  /** Image holding orch (`orch swarm-gateway` runs in it). */
  readonly image: string;
}

export interface SwarmStack {
  readonly doc: Json;
  readonly warnings: readonly ExportWarning[];
}

export const GATEWAY_SERVICE = 'gateway';

function sortedRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k] as T]),
  );
}

export function healthcheckDoc(h: ContainerHealth): Json {
  return {
    test: [...h.test],
    interval: composeDuration(h.timing.intervalMs),
    timeout: composeDuration(h.timing.timeoutMs),
    retries: h.timing.retries,
    start_period: composeDuration(h.timing.startPeriodMs),
  };
}

function restartPolicy(s: ServiceSpec): Json {
  const d = s.deployRestartPolicy;
  if (d)
    return compact({
      condition: d.condition,
      delay: d.delayMs === undefined ? undefined : composeDuration(d.delayMs),
      max_attempts: d.maxAttempts,
      window: d.windowMs === undefined ? undefined : composeDuration(d.windowMs),
    });
  // `restart:` means nothing to Swarm (its default is `any`, and a cluster is there to keep
  // services up); only an explicit on-failure limit is carried over.
  const r = s.restart;
  return r.kind === 'on-failure'
    ? compact({ condition: 'on-failure', max_attempts: r.maxRetries })
    : { condition: 'any' };
}

/** A one-shot job is retried only as its file says: Swarm would otherwise restart it forever. */
function jobRestartPolicy(s: ServiceSpec): Json {
  if (s.deployRestartPolicy) return restartPolicy(s);
  const r = s.restart;
  return r.kind === 'no'
    ? { condition: 'none' }
    : { condition: 'on-failure', max_attempts: r.kind === 'on-failure' ? (r.maxRetries ?? 3) : 3 };
}

function ports(s: ServiceSpec, w: Warnings): Json[] {
  const out: Json[] = [];
  for (const p of s.ports) {
    if (p.published === undefined) continue;
    if (p.published.includes('-')) {
      w.add(s.name, 'ports', `port range ${p.published} cannot be published by a Swarm service (dropped)`);
      continue;
    }
    if (p.hostIp !== '127.0.0.1' && p.hostIp !== '0.0.0.0' && p.hostIp !== '')
      w.add(s.name, 'ports.host_ip', `Swarm publishes on every address, not only ${p.hostIp}`);
    // Host mode: the routing mesh needs IPVS, which not every kernel has; host mode works anywhere.
    out.push({ target: p.target, published: Number(p.published), protocol: p.protocol, mode: 'host' });
  }
  if (out.length > 0 && s.ports.some((p) => p.hostIp === '127.0.0.1'))
    w.add(
      s.name,
      'ports.host_ip',
      'Swarm cannot bind a published port to 127.0.0.1: it is published on every address',
    );
  return out;
}

function volumes(s: ServiceSpec, w: Warnings): Json[] {
  return s.volumes.map((v) => {
    if (v.type === 'bind')
      w.add(
        s.name,
        'volumes',
        `bind mount ${v.source} must exist at that path on every node that runs the service`,
      );
    if (v.type === 'tmpfs') return compact({ type: 'tmpfs', target: v.target });
    return compact({ type: v.type, source: v.source, target: v.target, read_only: v.readOnly || undefined });
  });
}

function service(input: ExportInput, s: ServiceSpec, oneShot: boolean, w: Warnings): Json {
  const health = combinedHealthcheck(s, w);
  if (s.containerName) w.add(s.name, 'container_name', 'Swarm names task containers itself (dropped)');
  if (s.orch.autoscale)
    w.add(
      s.name,
      'x-orch.autoscale',
      `Swarm has no autoscaler: the service runs ${s.replicas} replica${s.replicas === 1 ? '' : 's'}`,
    );
  if (Object.keys(s.dependsOn).length > 0)
    w.add(
      s.name,
      'depends_on',
      'docker stack deploy ignores it; `orch deploy --target swarm` deploys in dependency order instead',
    );
  if (s.build && !input.images?.[s.name])
    w.add(
      s.name,
      'build',
      `Swarm does not build: build and push ${serviceImage(input.project, s, input.images)} first (orch deploy --target swarm does)`,
    );
  const environment = Object.fromEntries(
    Object.entries(s.environment).filter((e): e is [string, string] => e[1] !== null),
  );
  return compact({
    image: serviceImage(input.project, s, input.images),
    command: s.command && [...s.command],
    entrypoint: s.entrypoint && [...s.entrypoint],
    environment: sortedRecord(environment),
    ports: ports(s, w),
    volumes: volumes(s, w),
    networks: sortedRecord(
      Object.fromEntries(
        Object.entries(s.networks).map(([k, n]) => [
          k,
          n.aliases.length ? { aliases: [...n.aliases] } : null,
        ]),
      ),
    ),
    healthcheck: health ? healthcheckDoc(health) : s.healthcheck?.disable ? { disable: true } : undefined,
    deploy: compact({
      mode: 'replicated',
      replicas: s.replicas,
      // DNS round-robin over tasks instead of a virtual IP: VIPs also need IPVS, and orch's
      // gateway balances over `tasks.<service>` itself.
      endpoint_mode: 'dnsrr',
      restart_policy: oneShot ? jobRestartPolicy(s) : restartPolicy(s),
      resources: swarmResources(s, w),
      labels: sortedRecord({ 'dev.orch.project': input.project.name, 'dev.orch.service': s.name }),
    }),
    labels: sortedRecord(s.labels),
    working_dir: s.workingDir,
    user: s.user,
    hostname: s.hostname,
    stop_signal: s.stopSignal,
    stop_grace_period: s.stopGracePeriodMs === undefined ? undefined : composeDuration(s.stopGracePeriodMs),
    init: s.init,
    cap_add: [...s.capAdd].sort(),
    cap_drop: [...s.capDrop].sort(),
    secrets: s.secrets.map((m) => compact({ source: m.source, target: m.target, mode: m.mode })),
    configs: s.configs.map((m) => compact({ source: m.source, target: m.target, mode: m.mode })),
  });
}

function fileObjects(kind: 'secrets' | 'configs', project: Project, w: Warnings): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const key of Object.keys(project[kind]).sort()) {
    const o = project[kind][key];
    if (!o) continue;
    if (o.external) out[key] = { name: o.name, external: true };
    else if (o.file !== undefined) out[key] = { name: `${project.name}_${key}`, file: o.file };
    else {
      const how = o.environment !== undefined ? 'environment' : 'content';
      w.add(
        undefined,
        `${kind}.${key}.${how}`,
        `docker stack deploy reads ${kind} from files only: create it first with docker ${kind.slice(0, -1)} create ${project.name}_${key} - (declared external)`,
      );
      out[key] = { name: `${project.name}_${key}`, external: true };
    }
  }
  return out;
}

function gatewayService(project: Project, gw: SwarmGateway, w: Warnings): Json | undefined {
  const g = project.orch.gateway;
  if (!g) return undefined;
  if (g.host === '127.0.0.1')
    w.add(
      undefined,
      'x-orch.gateway.host',
      'Swarm cannot bind the gateway to 127.0.0.1: it is published on every address',
    );
  const routed = [...new Set(g.routes.flatMap((r) => routeServices(r)))].sort();
  const nets = new Set<string>();
  for (const name of routed) for (const n of Object.keys(project.services[name]?.networks ?? {})) nets.add(n);
  return {
    image: gw.image,
    command: ['swarm-gateway'],
    environment: {
      ORCH_GATEWAY: JSON.stringify({
        stack: project.name,
        port: g.port,
        timeoutMs: g.timeoutMs,
        routes: g.routes.map((r) => ({
          ...(r.path !== undefined ? { path: r.path } : {}),
          ...(r.host !== undefined ? { host: r.host } : {}),
          service: r.service,
          ...(r.services !== undefined ? { services: r.services } : {}),
          port: r.port,
          stripPrefix: r.stripPrefix,
          balance: r.balance,
          ...(r.retries !== undefined ? { retries: r.retries } : {}),
          ...(r.breaker !== undefined ? { breaker: r.breaker } : {}),
        })),
      }),
    },
    ports: [{ target: g.port, published: g.port, protocol: 'tcp', mode: 'host' }],
    networks: Object.fromEntries([...nets].sort().map((n) => [n, null])),
    healthcheck: healthcheckDoc({
      test: [
        'CMD',
        'node',
        '-e',
        `require("net").connect(${g.port},"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))`,
      ],
      timing: { intervalMs: 2000, timeoutMs: 2000, retries: 5, startPeriodMs: 0 },
    }),
    deploy: {
      mode: 'replicated',
      replicas: 1,
      endpoint_mode: 'dnsrr',
      restart_policy: { condition: 'any' },
      labels: { 'dev.orch.project': project.name, 'dev.orch.service': GATEWAY_SERVICE },
    },
  };
}

/**
 * The project as a Swarm stack file. `build` and `depends_on` have no meaning to Swarm: deploy
 * builds first and orders the rollout itself. Networks become overlays (attachable, so one-off
 * containers can join them); named volumes stay local to each node.
 */
export function toSwarmStack(
  input: ExportInput,
  gateway: SwarmGateway,
  oneShot: ReadonlySet<string>,
): SwarmStack {
  const { project } = input;
  assertNoHostProcesses(project, 'Swarm');
  const w = new Warnings();
  const services: Record<string, Json> = {};
  for (const s of sortedServices(project)) services[s.name] = service(input, s, oneShot.has(s.name), w);
  const gw = gatewayService(project, gateway, w);
  if (gw) {
    if (services[GATEWAY_SERVICE])
      w.add(
        GATEWAY_SERVICE,
        'x-orch.gateway',
        'a service is already named "gateway": orch’s gateway is "orch-gateway"',
      );
    services[services[GATEWAY_SERVICE] ? `orch-${GATEWAY_SERVICE}` : GATEWAY_SERVICE] = gw;
  }
  const networks: Record<string, Json> = {};
  for (const key of Object.keys(project.networks).sort()) {
    const n = project.networks[key];
    if (!n) continue;
    if (n.external) networks[key] = { name: n.name, external: true };
    else {
      if (n.driver && n.driver !== 'overlay')
        w.add(undefined, `networks.${key}.driver`, `Swarm services need overlay networks, not ${n.driver}`);
      networks[key] = compact({
        name: n.name,
        driver: 'overlay',
        attachable: true,
        internal: n.internal || undefined,
        labels: sortedRecord({ ...n.labels, 'dev.orch.project': project.name }),
      });
    }
  }
  const volumes: Record<string, Json> = {};
  for (const key of Object.keys(project.volumes).sort()) {
    const v = project.volumes[key];
    if (!v) continue;
    volumes[key] = v.external
      ? { name: v.name, external: true }
      : compact({
          name: v.name,
          driver: v.driver,
          labels: sortedRecord({ ...v.labels, 'dev.orch.project': project.name }),
        });
  }
  const doc = compact({
    version: STACK_FILE_VERSION,
    services: sortedRecord(services),
    networks,
    volumes,
    secrets: fileObjects('secrets', project, w),
    configs: fileObjects('configs', project, w),
  });
  return { doc, warnings: w.sorted() };
}

/** Stack files (format 3.x) take cpus and memory as strings; a bare number of bytes is valid. */
function swarmResources(s: ServiceSpec, w: Warnings): Json | undefined {
  const r = s.resources;
  if (!r) return undefined;
  if (r.limits?.pids !== undefined)
    w.add(s.name, 'deploy.resources.limits.pids', 'not every stack file format takes a pids limit (dropped)');
  const one = (l: ResourceLimits | undefined): Json | undefined =>
    l &&
    compact({
      cpus: l.cpus === undefined ? undefined : String(l.cpus),
      memory: l.memoryBytes === undefined ? undefined : String(l.memoryBytes),
    });
  return compact({ limits: one(r.limits), reservations: one(r.reservations) });
}
