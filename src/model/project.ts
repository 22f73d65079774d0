/**
 * The resolved project: what the loader hands to everything downstream. Interpolated, merged,
 * validated and normalized; paths are absolute; durations are milliseconds. Nothing here is `any`.
 */

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Project {
  readonly name: string;
  /** Absolute directory of the first project file; relative paths resolve against it. */
  readonly projectDir: string;
  /** Absolute paths of the files merged, in order. */
  readonly files: readonly string[];
  readonly services: Readonly<Record<string, ServiceSpec>>;
  readonly networks: Readonly<Record<string, NetworkSpec>>;
  readonly volumes: Readonly<Record<string, VolumeSpec>>;
  readonly secrets: Readonly<Record<string, FileObjectSpec>>;
  readonly configs: Readonly<Record<string, FileObjectSpec>>;
  readonly orch: OrchSettings;
}

export interface ServiceSpec {
  readonly name: string;
  /** Where the service is declared, for errors raised later (at `up`). */
  readonly pos: SourcePos;
  /** Explicit `image:`. With `build:` and no image, the engine tags `<project>-<service>`. */
  readonly image?: string;
  readonly build?: BuildSpec;
  /** Exec form; a string `command:` is split like a shell would (compose does the same). */
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** `null`: declared without a value and not set in the environment (compose passes it unset). */
  readonly environment: Readonly<Record<string, string | null>>;
  readonly ports: readonly PortSpec[];
  readonly expose: readonly string[];
  readonly volumes: readonly VolumeMount[];
  /** Empty when `networkMode` is set: the container then joins no network of the project. */
  readonly networks: Readonly<Record<string, ServiceNetwork>>;
  /**
   * `network_mode` as written: `host`, `none`, `service:NAME` (shares NAME's network namespace;
   * NAME is also in `dependsOn`), `container:NAME`, or any mode the engine knows.
   */
  readonly networkMode?: string;
  readonly dependsOn: Readonly<Record<string, Dependency>>;
  readonly healthcheck?: Healthcheck;
  readonly restart: RestartPolicy;
  readonly replicas: number;
  readonly deployRestartPolicy?: DeployRestartPolicy;
  /** `deploy.resources`: applied to each container, and exported to Swarm and Kubernetes. */
  readonly resources?: ServiceResources;
  readonly profiles: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly user?: string;
  readonly stopSignal?: string;
  readonly stopGracePeriodMs?: number;
  readonly init?: boolean;
  readonly containerName?: string;
  readonly hostname?: string;
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly secrets: readonly FileMount[];
  readonly configs: readonly FileMount[];
  readonly watch: readonly WatchRule[];
  readonly orch: ServiceOrch;
}

export interface BuildSpec {
  /** Absolute path. */
  readonly context: string;
  /** Relative to the context, as Docker expects. */
  readonly dockerfile: string;
  readonly args: Readonly<Record<string, string>>;
  readonly target?: string;
}

export interface PortSpec {
  /** Container port. */
  readonly target: number;
  /** Host port or range as written (`"8080"`, `"8000-8010"`); absent: an ephemeral port. */
  readonly published?: string;
  /** Defaults to 127.0.0.1 (safe default), unlike compose's 0.0.0.0. */
  readonly hostIp: string;
  readonly protocol: 'tcp' | 'udp';
  readonly name?: string;
  /** `host` or `ingress` (the default) as written; only Swarm tells them apart. */
  readonly mode?: string;
  /** `app_protocol` as written (a hint for the platform; the engine ignores it). */
  readonly appProtocol?: string;
}

export type VolumeMount =
  | { readonly type: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | {
      readonly type: 'volume';
      /** Key in `Project.volumes`; absent for an anonymous volume. */
      readonly source?: string;
      readonly target: string;
      readonly readOnly: boolean;
    }
  | { readonly type: 'tmpfs'; readonly target: string; readonly readOnly: boolean };

export interface ServiceNetwork {
  readonly aliases: readonly string[];
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  readonly condition: DependencyCondition;
  /** Restart this service when the dependency restarts (compose `depends_on.<dep>.restart`). */
  readonly restart: boolean;
  /** `false`: a missing or failing dependency only warns. */
  readonly required: boolean;
}

export interface Healthcheck {
  /** `['CMD', ...]`, `['CMD-SHELL', cmd]` or `['NONE']`; empty means "keep the image's test". */
  readonly test: readonly string[];
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly startPeriodMs?: number;
  readonly startIntervalMs?: number;
  /** `disable: true` or `test: [NONE]`: no Docker healthcheck, not even the image's. */
  readonly disable: boolean;
}

export type RestartPolicy =
  | { readonly kind: 'no' }
  | { readonly kind: 'always' }
  | { readonly kind: 'unless-stopped' }
  | { readonly kind: 'on-failure'; readonly maxRetries?: number };

export interface ResourceLimits {
  readonly cpus?: number;
  readonly memoryBytes?: number;
  /** Limits only. */
  readonly pids?: number;
}

export interface ServiceResources {
  readonly limits?: ResourceLimits;
  readonly reservations?: ResourceLimits;
}

export interface DeployRestartPolicy {
  readonly condition: 'none' | 'on-failure' | 'any';
  readonly delayMs?: number;
  readonly maxAttempts?: number;
  readonly windowMs?: number;
}

export interface FileMount {
  /** Key in `Project.secrets` / `Project.configs`. */
  readonly source: string;
  /** Absolute path in the container (`/run/secrets/<source>` for secrets, `/<source>` for configs by default). */
  readonly target: string;
  readonly mode?: number;
}

export interface FileObjectSpec {
  readonly name: string;
  /** Absolute path of the file on the host. */
  readonly file?: string;
  /** Name of an environment variable whose value is the content. */
  readonly environment?: string;
  /** Inline content (configs only). */
  readonly content?: string;
  readonly external: boolean;
}

export interface NetworkSpec {
  /** Name on the engine: `<project>_<key>` unless `name:` or external. */
  readonly name: string;
  readonly external: boolean;
  readonly driver?: string;
  readonly internal: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface VolumeSpec {
  /** Name on the engine: `<project>_<key>` unless `name:` or external. */
  readonly name: string;
  readonly external: boolean;
  readonly driver?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type WatchAction = 'sync' | 'rebuild' | 'sync+restart' | 'restart' | 'sync+exec';

export interface WatchRule {
  readonly action: WatchAction;
  /** Absolute path on the host. */
  readonly path: string;
  readonly target?: string;
  readonly ignore: readonly string[];
  readonly include?: readonly string[];
  readonly initialSync: boolean;
  readonly exec?: readonly string[];
}

// ---- orch's extensions (`x-orch`) ----

interface ProbeTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

export type ProbeSpec =
  | (ProbeTiming & {
      readonly kind: 'http';
      readonly path: string;
      readonly port: number;
      readonly status?: number;
    })
  | (ProbeTiming & { readonly kind: 'tcp'; readonly port: number })
  | (ProbeTiming & { readonly kind: 'exec'; readonly command: readonly string[] })
  | (ProbeTiming & { readonly kind: 'log'; readonly pattern: string });

export interface ServiceOrch {
  readonly probe?: ProbeSpec;
  /** Default: true unless restart is `no`. */
  readonly restartOnUnhealthy: boolean;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** `x-orch.process`: the service runs on the host instead of in a container. */
  readonly process?: ProcessSpec;
  /** `x-orch.autoscale`: the replica count follows load between `min` and `max`. */
  readonly autoscale?: AutoscaleSpec;
}

/** What an autoscaled service is measured by (one per service). */
export type AutoscaleMetric = 'inflight_per_replica' | 'p95_ms' | 'cpu_percent';

/** `x-orch.autoscale` (contract §10). */
export interface AutoscaleSpec {
  /** At least 1: a service scaled to 0 would have no figures to scale it up again. */
  readonly min: number;
  readonly max: number;
  readonly target: { readonly metric: AutoscaleMetric; readonly value: number };
  /** Least time between two changes, and how long load must stay low before a scale-down. */
  readonly cooldownMs: number;
  readonly pos: SourcePos;
}

/** A host process service (`x-orch.process`, contract §7). */
export interface ProcessSpec {
  /** A string runs through the shell (`sh -c`); a list is exec form. */
  readonly command: string | readonly string[];
  /** Absolute path (written relative to the project file; must stay inside the project directory). */
  readonly cwd: string;
  /** Each replica gets its own free `PORT`; routes and probes naming this port reach it. */
  readonly port?: number;
  /** `self`: the process reloads itself, so watch leaves it alone. */
  readonly reload?: 'restart' | 'self';
  /** The shell for a string command (default `/bin/sh`). */
  readonly shell?: string;
}

export type BalanceStrategy = 'round_robin' | 'least_conn' | 'random' | 'weighted';

/** One service of a weighted route (`services: [{service, weight}]`) and its share of requests. */
export interface RouteBackend {
  readonly service: string;
  /** A positive integer; shares are weight / sum of the weights. */
  readonly weight: number;
}

/** A route's `retries`: when a failed try may be repeated on another replica. */
export interface RetryPolicy {
  /** Retries after the first try (so at most 1 + attempts tries). */
  readonly attempts: number;
  /** Each try must see a response head within this (default: the gateway's `timeout`). */
  readonly perTryTimeoutMs?: number;
  /** Retries may be at most this fraction (0..1) of the route's requests over a sliding window. */
  readonly budget: number;
}

/** A route's `breaker`: per replica, consecutive failures open it for a while. */
export interface BreakerPolicy {
  readonly consecutiveFailures: number;
  readonly openForMs: number;
  /** `error_rate`: also open when this share (0..1) of the last 10 s's requests failed... */
  readonly errorRate?: number;
  /** ...and there were at least this many of them (`min_requests`, default 20). */
  readonly minRequests?: number;
}

export interface GatewayRoute {
  readonly path?: string;
  readonly host?: string;
  /** The route's service; for a weighted route, the first of `services` (use `routeServices`). */
  readonly service: string;
  /** `balance: weighted` only: the services requests are split over, in file order. */
  readonly services?: readonly RouteBackend[];
  /** Container port of the service(s). */
  readonly port: number;
  readonly stripPrefix: boolean;
  readonly balance: BalanceStrategy;
  readonly retries?: RetryPolicy;
  readonly breaker?: BreakerPolicy;
  readonly pos: SourcePos;
}

/** Every service a route sends to: its one `service`, or each of a weighted route's `services`. */
export function routeServices(route: Pick<GatewayRoute, 'service' | 'services'>): readonly string[] {
  return route.services === undefined ? [route.service] : route.services.map((b) => b.service);
}

export interface GatewaySettings {
  readonly port: number;
  /** Bind address; 127.0.0.1 unless the file says otherwise. */
  readonly host: string;
  readonly timeoutMs: number;
  /** `header_timeout`: a request head must arrive within this, else 408 (default 60 s). */
  readonly headerTimeoutMs?: number;
  /** `max_headers`: more header fields than this are answered 431 (default 100). */
  readonly maxHeaders?: number;
  /** `max_connections`: open client connections past this are answered 503 (default 1024). */
  readonly maxConnections?: number;
  readonly routes: readonly GatewayRoute[];
}

export type SmokeCheck =
  | {
      readonly kind: 'http';
      readonly name: string;
      readonly method: string;
      readonly path: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly expectStatus?: number;
      /** Substring, or a `/regex/`. */
      readonly expectBody?: string;
      readonly expectJson?: { readonly path: string; readonly value: unknown };
      readonly retries: number;
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'run';
      readonly name: string;
      readonly command: readonly string[];
      /** Run inside this service's first replica instead of on the host. */
      readonly service?: string;
      readonly retries: number;
      readonly timeoutMs: number;
    };

export interface OrchSettings {
  readonly gateway?: GatewaySettings;
  readonly smoke: readonly SmokeCheck[];
  /** Extra template directory (absolute). */
  readonly templates?: string;
  readonly watch: boolean;
  /** `x-orch.dashboard`: its host port (0 or absent: the last one used, else a free one). */
  readonly dashboard?: { readonly port?: number };
  /**
   * `x-orch.telemetry.otlp`: the OTLP/HTTP endpoint (base URL, as OTEL_EXPORTER_OTLP_ENDPOINT)
   * the gateway exports a span per request to.
   */
  readonly telemetry?: { readonly otlp?: string };
}

/** A service is gated on health only if it has at least one health source. */
export function hasHealthSource(s: ServiceSpec): boolean {
  const docker = s.healthcheck !== undefined && !s.healthcheck.disable && s.healthcheck.test.length > 0;
  return docker || s.orch.probe !== undefined;
}
