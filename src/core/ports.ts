/**
 * The interfaces the core talks to. Adapters (src/adapters) implement them with dockerode,
 * execa, chokidar and node:http; tests implement them with in-memory fakes.
 */

export type ContainerId = string;

/** Docker's health as orch reports it; `none`: the container has no Docker healthcheck. */
export type HealthStatus = 'none' | 'starting' | 'healthy' | 'unhealthy';

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface PublishedPort {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  readonly hostPort: number;
}

/** What orch needs to know of a container, mapped once from the engine's inspect/list output. */
export interface ContainerSnapshot {
  readonly id: ContainerId;
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: ContainerState;
  readonly exitCode: number | null;
  readonly health: HealthStatus;
  /** ISO timestamps from the engine; null when never started. */
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly ports: readonly PublishedPort[];
  /** The container's own healthcheck (the file's, else the image's), when the engine reports one. */
  readonly healthcheck?: DockerHealthcheck;
}

export interface DockerHealthcheck {
  readonly test: readonly string[];
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly startPeriodMs?: number;
  readonly startIntervalMs?: number;
}

export type MountSpec =
  | { readonly type: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | { readonly type: 'volume'; readonly source?: string; readonly target: string; readonly readOnly: boolean }
  | { readonly type: 'tmpfs'; readonly target: string };

export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  /** Empty string: let the engine choose an ephemeral port. May be a range `8000-8010`. */
  readonly hostPort: string;
}

export interface ContainerCreateSpec {
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `KEY=value` entries. */
  readonly env: readonly string[];
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly hostname?: string;
  /** `80/tcp` entries: exposed (not published) ports. */
  readonly exposedPorts: readonly string[];
  readonly portBindings: readonly PortBinding[];
  readonly mounts: readonly MountSpec[];
  /** First network the container joins at creation, with its DNS aliases (none with `networkMode`). */
  readonly network?: { readonly name: string; readonly aliases: readonly string[] };
  /** Engine network mode (`host`, `none`, `container:NAME`): the container joins no network. */
  readonly networkMode?: string;
  /** Further networks, connected after creation. */
  readonly extraNetworks: readonly { readonly name: string; readonly aliases: readonly string[] }[];
  /** undefined: keep the image's healthcheck; `['NONE']` disables it. */
  readonly healthcheck?: DockerHealthcheck;
  readonly stopSignal?: string;
  readonly stopTimeoutS?: number;
  readonly init?: boolean;
  /** `deploy.resources`, as the engine takes them (HostConfig NanoCpus, Memory, PidsLimit, …). */
  readonly resources?: {
    readonly nanoCpus?: number;
    readonly memoryBytes?: number;
    readonly memoryReservationBytes?: number;
    readonly pidsLimit?: number;
  };
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  /** `NAME:ADDRESS` entries for the container's /etc/hosts (`host-gateway`: the host). */
  readonly extraHosts?: readonly string[];
  /** Files copied into the container before it starts (secrets, configs). */
  readonly files: readonly { readonly path: string; readonly content: Buffer; readonly mode: number }[];
}

export interface BuildRequest {
  readonly context: string;
  readonly dockerfile: string;
  readonly tag: string;
  readonly args: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** ISO timestamp from the engine (when asked with timestamps), else ''. */
  readonly ts: string;
  readonly line: string;
}

export type EngineEvent =
  | {
      readonly type: 'start' | 'die' | 'stop' | 'kill' | 'destroy' | 'create' | 'oom';
      readonly id: ContainerId;
      readonly labels: Readonly<Record<string, string>>;
      readonly exitCode?: number;
      readonly time: number;
    }
  | {
      readonly type: 'health';
      readonly id: ContainerId;
      readonly labels: Readonly<Record<string, string>>;
      readonly health: HealthStatus;
      /** With `unhealthy`: what the last failing check printed (the engine's health log). */
      readonly output?: string;
      readonly time: number;
    };

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * One reading of a container's resource counters (`GET /containers/{id}/stats`, one-shot). CPU is
 * cumulative, so a CPU % needs two readings (core/stats/sampler.ts takes the difference): a
 * one-shot read answers at once, where a plain `stream=false` read waits a second per container.
 */
/**
 * One reading of a running replica's counters, whatever runs it. CPU time is cumulative, so a
 * rate needs two readings (see core/stats).
 */
export interface UsageReading {
  /** CPU time the replica has used, in ns since it started. */
  readonly cpuTotalNs: number;
  /** CPU time of the whole host, in ns: the denominator of CPU %. 0 when there is none (then wall time is). */
  readonly systemCpuNs: number;
  readonly onlineCpus: number;
  /** Memory in use (a container: less the inactive file cache, as `docker stats` shows it). */
  readonly memoryBytes: number;
  /** The replica's memory limit (the host's memory when it has none). */
  readonly memoryLimitBytes: number;
  /**
   * Bytes received and sent over all its network interfaces, since it started. Absent for a host
   * process: it shares the host's network namespace, where traffic is counted per interface only.
   */
  readonly rxBytes?: number;
  readonly txBytes?: number;
  readonly pids?: number;
}

/** The engine's stats of a container: always with network figures (its own namespace). */
export interface ContainerStats extends UsageReading {
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface EngineInfo {
  readonly version: string;
  readonly apiVersion: string;
}

/** Everything orch asks of the Docker engine. Label filters are `key=value` or bare `key`. */
export interface DockerPort {
  ping(): Promise<EngineInfo>;

  imageExists(ref: string): Promise<boolean>;
  /** The local image's content id (`sha256:…`), or undefined when it is not here. */
  imageId(ref: string): Promise<string | undefined>;
  /** The test of the local image's own HEALTHCHECK; undefined when it has none (or `NONE`). */
  imageHealthcheck(ref: string): Promise<readonly string[] | undefined>;
  pullImage(ref: string, onLine?: (line: string) => void): Promise<void>;
  buildImage(req: BuildRequest, onLine?: (line: string) => void): Promise<void>;

  networkExists(name: string): Promise<boolean>;
  createNetwork(
    name: string,
    labels: Readonly<Record<string, string>>,
    opts?: { driver?: string; internal?: boolean },
  ): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  listNetworks(
    labelFilters: readonly string[],
  ): Promise<readonly { name: string; labels: Readonly<Record<string, string>> }[]>;

  volumeExists(name: string): Promise<boolean>;
  createVolume(
    name: string,
    labels: Readonly<Record<string, string>>,
    opts?: { driver?: string },
  ): Promise<void>;
  removeVolume(name: string): Promise<void>;
  listVolumes(
    labelFilters: readonly string[],
  ): Promise<readonly { name: string; labels: Readonly<Record<string, string>> }[]>;

  createContainer(spec: ContainerCreateSpec): Promise<ContainerId>;
  startContainer(id: ContainerId): Promise<void>;
  /** Graceful stop: the container's stop signal, then SIGKILL after `timeoutS`. */
  stopContainer(id: ContainerId, timeoutS: number): Promise<void>;
  killContainer(id: ContainerId, signal?: string): Promise<void>;
  removeContainer(id: ContainerId, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  inspectContainer(id: ContainerId): Promise<ContainerSnapshot>;
  /** One reading of a running container's counters (see ContainerStats). */
  stats(id: ContainerId): Promise<ContainerStats>;
  listContainers(
    labelFilters: readonly string[],
    opts?: { all?: boolean },
  ): Promise<readonly ContainerSnapshot[]>;

  exec(
    id: ContainerId,
    cmd: readonly string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ExecResult>;
  /**
   * Demultiplexed, line-split output, in batches of lines in order (each batch what arrived
   * together, never empty): `orch logs` reads 200,000 lines without an await per line. Ends when
   * the container's output ends (or `signal` aborts).
   */
  logs(
    id: ContainerId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]>;
  /** Container events for containers carrying all these labels, until `signal` aborts. */
  events(labelFilters: readonly string[], signal: AbortSignal): AsyncIterable<EngineEvent>;

  /**
   * Copies files into a container (running or not) through the engine's archive API, then
   * removes `deletions` (absolute paths, recursively); missing parent directories are created.
   */
  copyToContainer(
    id: ContainerId,
    files: readonly { readonly path: string; readonly content: Buffer; readonly mode: number }[],
    deletions?: readonly string[],
  ): Promise<void>;
  renameContainer(id: ContainerId, name: string): Promise<void>;
}

/** Time as a dependency, so waits and backoff can be tested with a virtual clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Host-side network checks used by http/tcp probes. */
export interface NetProbePort {
  httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number }>;
  tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
