import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { OrchError } from '../../errors/index.js';
import type { ContainerSnapshot, DockerPort, ExecResult, LogLine, UsageReading } from '../ports.js';
import { containerCreateSpec } from '../engine/container-spec.js';
import { serviceConfigHash } from '../engine/config-hash.js';
import { imageRef } from '../engine/naming.js';
import { serviceFiles, type FileSources } from './files.js';
import type { ReplicaId, ReplicaSnapshot, RuntimeEvent, RuntimePort } from './port.js';

/** The grace a service gets when its file sets none, as Docker's own default. */
export const DEFAULT_GRACE_MS = 10_000;

/** A service's stop grace period in milliseconds (`stop_grace_period`, else Docker's 10 s). */
export function graceMsOf(spec: ServiceSpec | undefined): number {
  return spec?.stopGracePeriodMs ?? DEFAULT_GRACE_MS;
}

/** The engine takes whole seconds; a grace of 1.5 s waits 2. */
function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function containerReplica(c: ContainerSnapshot): ReplicaSnapshot {
  return { ...c, runtime: 'container' };
}

/**
 * Replicas as Docker containers, over the engine's own port. Images, networks and volumes are
 * made beforehand (core/engine: images.ts, resources.ts); this runs the containers themselves.
 */
export class DockerRuntime implements RuntimePort {
  readonly kind = 'container' as const;

  constructor(
    private readonly docker: DockerPort,
    private readonly sources: FileSources,
    private readonly opts: {
      /** The `PORT` of replica 1 of the named host-process services, for `ORCH_<SERVICE>_URL`. */
      readonly hostProcessPorts?: (
        project: Project,
        services: readonly string[],
      ) => Promise<Readonly<Record<string, number>>>;
    } = {},
  ) {}

  async configHash(project: Project, spec: ServiceSpec): Promise<string> {
    const ref = imageRef(project, spec);
    // By content id: a rebuilt or newly pulled image under the same name recreates the container.
    return serviceConfigHash(spec, (await this.docker.imageId(ref)) ?? ref);
  }

  async create(
    project: Project,
    spec: ServiceSpec,
    replica: number,
    opts?: { readonly configHash?: string },
  ): Promise<ReplicaSnapshot> {
    // Only the host processes this service depends on: asking for a port may promise one.
    const processDeps = Object.keys(spec.dependsOn).filter((d) => project.services[d]?.orch.process);
    const [files, hash, hostProcessPorts] = await Promise.all([
      serviceFiles(project, spec, this.sources),
      opts?.configHash ?? this.configHash(project, spec),
      processDeps.length > 0 ? this.opts.hostProcessPorts?.(project, processDeps) : undefined,
    ]);
    const create = containerCreateSpec({
      project,
      service: spec,
      replica,
      image: imageRef(project, spec),
      configHash: hash,
      files,
      ...(hostProcessPorts ? { hostProcessPorts } : {}),
    });
    let id: string;
    try {
      id = await this.docker.createContainer(create);
    } catch (e) {
      if (e instanceof Error && /Conflict|already in use/i.test(e.message))
        throw new OrchError(
          'STACK_FAILED',
          `container name "${create.name}" is taken by a container orch did not create`,
          {
            hint: `remove or rename it (docker rm ${create.name}), or set another container_name`,
            cause: e,
          },
        );
      throw e;
    }
    return this.inspect(id);
  }

  start(id: ReplicaId): Promise<void> {
    return this.docker.startContainer(id);
  }

  stop(id: ReplicaId, graceMs: number): Promise<void> {
    return this.docker.stopContainer(id, seconds(graceMs));
  }

  kill(id: ReplicaId, signal?: string): Promise<void> {
    return this.docker.killContainer(id, signal);
  }

  async remove(id: ReplicaId, opts: { graceMs: number }): Promise<void> {
    // A stop first, so the process gets its signal and grace (a forced remove would SIGKILL it);
    // the engine answers a stop of a stopped container at once. A stop that fails leaves it to
    // the forced remove.
    await this.docker.stopContainer(id, seconds(opts.graceMs)).catch(() => undefined);
    // Anonymous volumes go with their container; named volumes stay (`down --volumes` removes those).
    await this.docker.removeContainer(id, { force: true, volumes: true });
  }

  async inspect(id: ReplicaId): Promise<ReplicaSnapshot> {
    return containerReplica(await this.docker.inspectContainer(id));
  }

  async list(
    projectName: string,
    filter: { service?: string; replica?: number } = {},
  ): Promise<readonly ReplicaSnapshot[]> {
    const labels = [`${Label.project}=${projectName}`];
    if (filter.service !== undefined) labels.push(`${Label.service}=${filter.service}`);
    if (filter.replica !== undefined) labels.push(`${Label.replica}=${filter.replica}`);
    return (await this.docker.listContainers(labels, { all: true })).map(containerReplica);
  }

  events(projectName: string, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.docker.events([`${Label.project}=${projectName}`], signal);
  }

  logs(
    id: ReplicaId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    return this.docker.logs(id, opts);
  }

  exec(
    id: ReplicaId,
    cmd: readonly string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ExecResult> {
    return this.docker.exec(id, cmd, opts);
  }

  stats(id: ReplicaId): Promise<UsageReading> {
    return this.docker.stats(id);
  }
}
