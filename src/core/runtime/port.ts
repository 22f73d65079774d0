import type { Project, ServiceSpec } from '../../model/project.js';
import type { ContainerSnapshot, EngineEvent, ExecResult, LogLine, UsageReading } from '../ports.js';

/**
 * Which runtime runs a replica. Docker containers first; host processes (`x-orch.process`) run
 * on the host beside them. Swarm is not a replica runtime: it runs whole stacks (core/swarm).
 */
export type RuntimeKind = 'container' | 'process';

/**
 * A replica's id on its runtime: a container id, or for a host process an id that names the
 * very process (pid plus its start time, so a recycled pid is never taken for it).
 */
export type ReplicaId = string;

/**
 * What orch knows of one replica, whatever runs it. The shape of a container snapshot, so the
 * tracker, `ps` and the probes read both alike: a process carries orch's labels (project,
 * service, replica, config hash) in `labels`, its command line in `image`, and its `PORT` as a
 * published port (`containerPort` = the declared port, `hostPort` = the port it was given).
 */
export interface ReplicaSnapshot extends ContainerSnapshot {
  readonly runtime: RuntimeKind;
  /** The process id of a host process (its process group leader). */
  readonly pid?: number;
}

/** A replica event: the engine's event shape, for containers and processes alike. */
export type RuntimeEvent = EngineEvent;

/**
 * Everything the running stack asks of one runtime, per replica. Project-wide resources
 * (images, networks, volumes) stay with the engine's own port: only containers need them.
 */
export interface RuntimePort {
  readonly kind: RuntimeKind;

  /** The hash that `create` would label replica of `spec` with: equal hashes mean "keep it". */
  configHash(project: Project, spec: ServiceSpec): Promise<string>;
  /**
   * Makes replica `replica` of `spec`, not started, labelled with orch's labels and its hash.
   * `configHash`: what `configHash` answered for this spec (a caller making several replicas
   * asks once); without it the runtime computes it.
   */
  create(
    project: Project,
    spec: ServiceSpec,
    replica: number,
    opts?: { readonly configHash?: string },
  ): Promise<ReplicaSnapshot>;
  start(id: ReplicaId): Promise<void>;
  /** Graceful stop: the service's stop signal, then SIGKILL after `graceMs`. */
  stop(id: ReplicaId, graceMs: number): Promise<void>;
  kill(id: ReplicaId, signal?: string): Promise<void>;
  /** Stops (with the grace) if needed and removes it; anonymous volumes go with a container. */
  remove(id: ReplicaId, opts: { graceMs: number }): Promise<void>;
  inspect(id: ReplicaId): Promise<ReplicaSnapshot>;
  /** This project's replicas on this runtime, in every state (`service`: only that service's). */
  list(
    projectName: string,
    filter?: { service?: string; replica?: number },
  ): Promise<readonly ReplicaSnapshot[]>;

  /** Replica events of this project until `signal` aborts; the iterator throws when the runtime goes away. */
  events(projectName: string, signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  /** As `DockerPort.logs`: batches of lines in order, never empty. */
  logs(
    id: ReplicaId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]>;
  /**
   * One reading of a running replica's CPU, memory and network counters (the engine's stats of a
   * container; /proc for a host process). Rejects when it is not running.
   */
  stats(id: ReplicaId): Promise<UsageReading>;
  /** Runs a command in the replica's context (in the container; for a process, on the host in its cwd and env). */
  exec(
    id: ReplicaId,
    cmd: readonly string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ExecResult>;
}

/** The runtimes of one stack, and which one runs a service. */
export interface Runtimes {
  /** `x-orch.process` → the process runtime; anything else → containers. */
  of(spec: ServiceSpec): RuntimePort;
  kind(kind: RuntimeKind): RuntimePort;
  readonly all: readonly RuntimePort[];
}
