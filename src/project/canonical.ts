import type {
  Healthcheck,
  PortSpec,
  Project,
  ResourceLimits,
  ServiceSpec,
  VolumeMount,
} from '../model/project.js';
import { compact } from '../core/compact.js';
import { formatDuration } from './normalize/values.js';

type Json = Record<string, unknown>;

const dur = (ms: number | undefined) => (ms === undefined ? undefined : formatDuration(ms));
const percent = (share: number) => `${Math.round(share * 10_000) / 100}%`;

function port(p: PortSpec): Json {
  return compact({
    name: p.name,
    mode: p.mode ?? 'ingress',
    host_ip: p.hostIp,
    target: p.target,
    published: p.published,
    protocol: p.protocol,
    app_protocol: p.appProtocol,
  });
}

function volume(v: VolumeMount): Json {
  const source = v.type === 'tmpfs' ? undefined : v.source;
  return compact({ type: v.type, source, target: v.target, read_only: v.readOnly || undefined });
}

function healthcheck(h: Healthcheck): Json {
  if (h.disable) return { disable: true };
  return compact({
    test: h.test,
    interval: dur(h.intervalMs),
    timeout: dur(h.timeoutMs),
    retries: h.retries,
    start_period: dur(h.startPeriodMs),
    start_interval: dur(h.startIntervalMs),
  });
}

function restart(s: ServiceSpec): string {
  const r = s.restart;
  return r.kind === 'on-failure' && r.maxRetries !== undefined ? `on-failure:${r.maxRetries}` : r.kind;
}

function service(s: ServiceSpec): Json {
  const probe = s.orch.probe;
  return compact({
    image: s.image,
    build:
      s.build &&
      compact({
        context: s.build.context,
        dockerfile: s.build.dockerfile,
        args: s.build.args,
        target: s.build.target,
      }),
    command: s.command,
    entrypoint: s.entrypoint,
    environment: s.environment,
    ports: s.ports.map(port),
    expose: s.expose,
    volumes: s.volumes.map(volume),
    network_mode: s.networkMode,
    networks: Object.fromEntries(
      Object.entries(s.networks).map(([k, n]) => [k, n.aliases.length ? { aliases: n.aliases } : null]),
    ),
    depends_on: Object.fromEntries(
      Object.entries(s.dependsOn).map(([k, d]) => [
        k,
        // As compose prints it: `restart` only when true (omitempty), `required` always.
        compact({ condition: d.condition, restart: d.restart || undefined, required: d.required }),
      ]),
    ),
    healthcheck: s.healthcheck && healthcheck(s.healthcheck),
    restart: restart(s),
    deploy: compact({
      replicas: s.replicas,
      restart_policy:
        s.deployRestartPolicy &&
        compact({
          condition: s.deployRestartPolicy.condition,
          delay: dur(s.deployRestartPolicy.delayMs),
          max_attempts: s.deployRestartPolicy.maxAttempts,
          window: dur(s.deployRestartPolicy.windowMs),
        }),
      resources:
        s.resources &&
        compact({
          limits: resourceLimits(s.resources.limits),
          reservations: resourceLimits(s.resources.reservations),
        }),
    }),
    profiles: s.profiles,
    labels: s.labels,
    working_dir: s.workingDir,
    user: s.user,
    stop_signal: s.stopSignal,
    stop_grace_period: dur(s.stopGracePeriodMs),
    init: s.init,
    container_name: s.containerName,
    hostname: s.hostname,
    cap_add: s.capAdd,
    cap_drop: s.capDrop,
    secrets: s.secrets.map((m) => compact({ source: m.source, target: m.target, mode: m.mode })),
    configs: s.configs.map((m) => compact({ source: m.source, target: m.target, mode: m.mode })),
    develop: s.watch.length
      ? {
          watch: s.watch.map((w) =>
            compact({
              action: w.action,
              path: w.path,
              target: w.target,
              ignore: w.ignore,
              include: w.include,
              initial_sync: w.initialSync || undefined,
              exec: w.exec && { command: w.exec },
            }),
          ),
        }
      : undefined,
    'x-orch': compact({
      probe:
        probe &&
        compact({
          ...(probe.kind === 'http'
            ? { http: compact({ path: probe.path, port: probe.port, status: probe.status }) }
            : {}),
          ...(probe.kind === 'tcp' ? { tcp: { port: probe.port } } : {}),
          ...(probe.kind === 'exec' ? { exec: probe.command } : {}),
          ...(probe.kind === 'log' ? { log: probe.pattern } : {}),
          interval: dur(probe.intervalMs),
          timeout: dur(probe.timeoutMs),
          retries: probe.retries,
          start_period: dur(probe.startPeriodMs),
        }),
      restart_on_unhealthy: s.orch.restartOnUnhealthy,
      backoff: { initial: dur(s.orch.backoff.initialMs), max: dur(s.orch.backoff.maxMs) },
      autoscale: s.orch.autoscale && {
        min: s.orch.autoscale.min,
        max: s.orch.autoscale.max,
        target: { [s.orch.autoscale.target.metric]: s.orch.autoscale.target.value },
        cooldown: dur(s.orch.autoscale.cooldownMs),
      },
      process:
        s.orch.process &&
        compact({
          command:
            typeof s.orch.process.command === 'string' ? s.orch.process.command : [...s.orch.process.command],
          cwd: s.orch.process.cwd,
          port: s.orch.process.port,
          reload: s.orch.process.reload,
          shell: s.orch.process.shell,
        }),
    }),
  });
}

function orchTop(p: Project): Json {
  const g = p.orch.gateway;
  return compact({
    gateway: g && {
      port: g.port,
      host: g.host,
      timeout: dur(g.timeoutMs),
      routes: g.routes.map((r) =>
        compact({
          path: r.path,
          host: r.host,
          ...(r.services !== undefined
            ? { services: r.services.map((b) => ({ service: b.service, weight: b.weight })) }
            : { service: r.service }),
          port: r.port,
          strip_prefix: r.stripPrefix,
          balance: r.balance,
          retries:
            r.retries &&
            compact({
              attempts: r.retries.attempts,
              per_try_timeout: dur(r.retries.perTryTimeoutMs),
              budget: percent(r.retries.budget),
            }),
          breaker:
            r.breaker &&
            compact({
              consecutive_failures: r.breaker.consecutiveFailures,
              open_for: dur(r.breaker.openForMs),
              error_rate: r.breaker.errorRate !== undefined ? percent(r.breaker.errorRate) : undefined,
              min_requests: r.breaker.minRequests,
            }),
        }),
      ),
    },
    smoke: p.orch.smoke.map((c) =>
      c.kind === 'http'
        ? compact({
            name: c.name,
            [c.method.toLowerCase()]: c.path,
            headers: c.headers,
            body: c.body,
            expect_status: c.expectStatus,
            expect_body: c.expectBody,
            expect_json: c.expectJson,
            retries: c.retries,
            timeout: dur(c.timeoutMs),
          })
        : compact({
            name: c.name,
            ...(c.service ? { exec: { service: c.service, command: c.command } } : { run: c.command }),
            retries: c.retries,
            timeout: dur(c.timeoutMs),
          }),
    ),
    templates: p.orch.templates,
    watch: p.orch.watch || undefined,
    dashboard: p.orch.dashboard && compact({ port: p.orch.dashboard.port }),
    telemetry: p.orch.telemetry && compact({ otlp: p.orch.telemetry.otlp }),
  });
}

/** The resolved project in compose's canonical shape, for `orch config`. */
export function toComposeCanonical(project: Project): unknown {
  const sortKeys = <T>(r: Readonly<Record<string, T>>) =>
    Object.keys(r)
      .sort()
      .map((k) => [k, r[k] as T] as const);
  return compact({
    name: project.name,
    services: Object.fromEntries(sortKeys(project.services).map(([k, s]) => [k, service(s)])),
    networks: Object.fromEntries(
      sortKeys(project.networks).map(([k, n]) => [
        k,
        compact({
          name: n.name,
          driver: n.driver,
          internal: n.internal || undefined,
          external: n.external || undefined,
          labels: n.labels,
        }),
      ]),
    ),
    volumes: Object.fromEntries(
      sortKeys(project.volumes).map(([k, v]) => [
        k,
        compact({ name: v.name, driver: v.driver, external: v.external || undefined, labels: v.labels }),
      ]),
    ),
    secrets: Object.fromEntries(
      sortKeys(project.secrets).map(([k, s]) => [k, compact({ ...s, external: s.external || undefined })]),
    ),
    configs: Object.fromEntries(
      sortKeys(project.configs).map(([k, s]) => [k, compact({ ...s, external: s.external || undefined })]),
    ),
    'x-orch': orchTop(project),
  });
}

/** As `docker compose config` prints them: cpus a number, memory in bytes as a string. */
function resourceLimits(l: ResourceLimits | undefined): Json | undefined {
  if (!l) return undefined;
  return compact({
    cpus: l.cpus,
    memory: l.memoryBytes === undefined ? undefined : String(l.memoryBytes),
    pids: l.pids,
  });
}
