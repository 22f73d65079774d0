import type Docker from 'dockerode';
import type {
  BuildRequest,
  ContainerCreateSpec,
  ContainerId,
  ContainerSnapshot,
  ContainerStats,
  DockerPort,
  EngineEvent,
  EngineInfo,
  ExecResult,
  LogLine,
} from '../../core/ports.js';
import { OrchError, isOrchError } from '../../errors/index.js';
import { toCreateOptions } from './create-spec.js';
import {
  EngineRequestError,
  engineMessage,
  isUnreachable,
  statusCode,
  unreachableError,
} from './engine-errors.js';
import { describeAddress, plainEngineAddress } from './engine-http.js';
import { dockerodeReads, plainReads, type EngineReads } from './engine-reads.js';
import { containerEvents } from './events.js';
import { execInContainer } from './exec.js';
import { jsonLines, progressError } from './json-lines.js';
import { containerLogs } from './logs.js';
import { mapInspect, type InspectLike } from './map-inspect.js';
import { mapStats } from './stats.js';

type Labels = Readonly<Record<string, string>>;

/**
 * `DockerPort` on dockerode. Without options dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH), else uses /var/run/docker.sock. dockerode is loaded on first use. Version,
 * list, inspect and log bytes go through `reads` (engine-reads.ts), chosen once here: the small
 * socket client when the endpoint is a unix socket or plain tcp (so `orch logs` and `orch ps`
 * never load dockerode; engine-reads.ts gives the measured reason), else dockerode. Every engine
 * error passes through `translate`: an unreachable engine becomes ENGINE_UNREACHABLE, anything
 * else an EngineRequestError carrying the engine's own message.
 */
export class DockerodeAdapter implements DockerPort {
  private dockerode: Promise<Docker> | undefined;
  private readonly reads: EngineReads;
  private readonly endpoint: string;
  /**
   * Whether each container inspected so far has a TTY (fixed when it is created): the logs call
   * needs it, and `orch logs` has just inspected every container while listing them.
   */
  private readonly ttys = new Map<ContainerId, boolean>();

  constructor(private readonly options?: Docker.DockerOptions) {
    const plain = plainEngineAddress(options, process.env);
    this.reads = plain ? plainReads(plain) : dockerodeReads(() => this.client());
    this.endpoint = plain
      ? describeAddress(plain)
      : options?.host !== undefined
        ? `${String(options.protocol ?? 'http')}://${options.host}${options.port ? `:${String(options.port)}` : ''}`
        : (options?.socketPath ?? process.env['DOCKER_HOST'] ?? '/var/run/docker.sock');
  }

  /** dockerode, imported the first time a call needs it. */
  private client(): Promise<Docker> {
    this.dockerode ??= import('dockerode').then(({ default: Dockerode }) =>
      this.options === undefined ? new Dockerode() : new Dockerode(this.options),
    );
    return this.dockerode;
  }

  /**
   * Loads dockerode now instead of on the first call that needs it, for a caller that has idle
   * time ahead: loading it (ssh2 and the rest) took ~1 s on a loaded 2-core machine, and the
   * background supervisor paid that between `up`'s handover and adopting the containers, inside
   * `up -d --wait`'s time (bench/startup).
   */
  preload(): void {
    this.client().catch(() => undefined);
  }

  /** `fn` on the dockerode client. */
  private async docker<T>(fn: (docker: Docker) => Promise<T>): Promise<T> {
    return fn(await this.client());
  }

  private translate(what: string, e: unknown): Error {
    if (isOrchError(e)) return e;
    if (isUnreachable(e)) return unreachableError(this.endpoint, e);
    return new EngineRequestError(what, e);
  }

  /** Runs one engine call; `tolerate` lists status codes that mean "already so" and are no error. */
  private async call<T>(
    what: string,
    fn: () => Promise<T>,
    tolerate: readonly number[] = [],
  ): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      const code = statusCode(e);
      if (code !== undefined && tolerate.includes(code)) return undefined;
      throw this.translate(what, e);
    }
  }

  private async must<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return (await this.call(what, fn)) as T;
  }

  async ping(): Promise<EngineInfo> {
    const v = await this.must('docker version', () => this.reads.version());
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  // ---- images

  async imageExists(ref: string): Promise<boolean> {
    return (
      (await this.call(
        `inspect image ${ref}`,
        () => this.docker((d) => d.getImage(ref).inspect()),
        [404],
      )) !== undefined
    );
  }

  async imageId(ref: string): Promise<string | undefined> {
    const info = await this.call(
      `inspect image ${ref}`,
      () => this.docker((d) => d.getImage(ref).inspect()),
      [404],
    );
    return info?.Id;
  }

  async imageHealthcheck(ref: string): Promise<readonly string[] | undefined> {
    const info = await this.call(
      `inspect image ${ref}`,
      () => this.docker((d) => d.getImage(ref).inspect()),
      [404],
    );
    const test = info?.Config.Healthcheck?.Test ?? [];
    return test.length === 0 || test[0] === 'NONE' ? undefined : test;
  }

  async pullImage(ref: string, onLine?: (line: string) => void): Promise<void> {
    const unavailable = (why: string, cause?: unknown): OrchError =>
      new OrchError('IMAGE_UNAVAILABLE', `cannot pull image ${ref}: ${why}`, { cause });
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker((d) => d.pull(ref));
    } catch (e) {
      if (isUnreachable(e)) throw unreachableError(this.endpoint, e);
      throw unavailable(engineMessage(e), e);
    }
    for await (const doc of jsonLines(stream as AsyncIterable<Buffer>)) {
      const error = progressError(doc);
      if (error !== undefined) throw unavailable(error);
      const status = doc['status'];
      if (typeof status === 'string') {
        const id = typeof doc['id'] === 'string' ? `${doc['id']}: ` : '';
        const progress = typeof doc['progress'] === 'string' ? ` ${doc['progress']}` : '';
        onLine?.(`${id}${status}${progress}`);
      }
    }
  }

  async buildImage(req: BuildRequest, onLine?: (line: string) => void): Promise<void> {
    let docker: Docker;
    try {
      docker = await this.client();
    } catch (e) {
      throw this.translate(`build ${req.tag}`, e);
    }
    // Loaded on use, like dockerode: `orch ps` and `orch logs` never build (tar, .dockerignore...).
    const { buildImage } = await import('./build.js');
    await buildImage(docker, req, onLine, (e) => {
      throw this.translate(`build ${req.tag}`, e);
    });
  }

  // ---- networks

  async networkExists(name: string): Promise<boolean> {
    const info = await this.call(
      `inspect network ${name}`,
      () => this.docker((d) => d.getNetwork(name).inspect()),
      [404],
    );
    // Inspect also matches an ID prefix; only an exact name counts.
    return (info as { Name?: string } | undefined)?.Name === name;
  }

  async createNetwork(
    name: string,
    labels: Labels,
    opts: { driver?: string; internal?: boolean } = {},
  ): Promise<void> {
    await this.must(`create network ${name}`, () =>
      this.docker((d) =>
        d.createNetwork({
          Name: name,
          Labels: { ...labels },
          CheckDuplicate: true,
          Driver: opts.driver ?? 'bridge',
          Internal: opts.internal ?? false,
        }),
      ),
    );
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(`remove network ${name}`, () => this.docker((d) => d.getNetwork(name).remove()), [404]);
  }

  async listNetworks(labelFilters: readonly string[]): Promise<readonly { name: string; labels: Labels }[]> {
    const list = await this.must('list networks', () =>
      this.docker((d) => d.listNetworks({ filters: { label: [...labelFilters] } })),
    );
    return list.map((n) => ({ name: n.Name, labels: { ...(n.Labels ?? {}) } }));
  }

  // ---- volumes

  async volumeExists(name: string): Promise<boolean> {
    return (
      (await this.call(
        `inspect volume ${name}`,
        () => this.docker((d) => d.getVolume(name).inspect()),
        [404],
      )) !== undefined
    );
  }

  async createVolume(name: string, labels: Labels, opts: { driver?: string } = {}): Promise<void> {
    await this.must(`create volume ${name}`, () =>
      this.docker((d) =>
        d.createVolume({
          Name: name,
          Labels: { ...labels },
          Driver: opts.driver ?? 'local',
        }),
      ),
    );
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, () => this.docker((d) => d.getVolume(name).remove()), [404]);
  }

  async listVolumes(labelFilters: readonly string[]): Promise<readonly { name: string; labels: Labels }[]> {
    const res = await this.must('list volumes', () =>
      this.docker((d) => d.listVolumes({ filters: { label: [...labelFilters] } })),
    );
    return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: { ...(v.Labels ?? {}) } }));
  }

  // ---- containers

  async createContainer(spec: ContainerCreateSpec): Promise<ContainerId> {
    let container: Docker.Container;
    try {
      container = await this.docker((d) => d.createContainer(toCreateOptions(spec)));
    } catch (e) {
      if (statusCode(e) === 404 && /no such image/i.test(engineMessage(e))) {
        throw new OrchError(
          'IMAGE_UNAVAILABLE',
          `image ${spec.image} is not available locally (service container ${spec.name})`,
          {
            cause: e,
          },
        );
      }
      throw this.translate(`create container ${spec.name}`, e);
    }
    try {
      for (const net of spec.extraNetworks) {
        await this.docker((d) =>
          d
            .getNetwork(net.name)
            .connect({ Container: container.id, EndpointConfig: { Aliases: [...net.aliases] } }),
        );
      }
      if (spec.files.length > 0) await (await import('./files.js')).putFiles(container, spec.files);
    } catch (e) {
      // A half-made container would be picked up later as if it were complete: remove it.
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw this.translate(`prepare container ${spec.name}`, e);
    }
    return container.id;
  }

  async startContainer(id: ContainerId): Promise<void> {
    // 304: already started.
    await this.call(`start container ${id}`, () => this.docker((d) => d.getContainer(id).start()), [304]);
  }

  async stopContainer(id: ContainerId, timeoutS: number): Promise<void> {
    // 304: already stopped; 404: already gone.
    await this.call(
      `stop container ${id}`,
      () => this.docker((d) => d.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutS)) })),
      [304, 404],
    );
  }

  async killContainer(id: ContainerId, signal?: string): Promise<void> {
    // 409: not running any more, which is what a kill wants.
    await this.call(
      `kill container ${id}`,
      () => this.docker((d) => d.getContainer(id).kill(signal === undefined ? {} : { signal })),
      [404, 409],
    );
  }

  async removeContainer(id: ContainerId, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    // 404: gone; 409 "removal already in progress".
    await this.call(
      `remove container ${id}`,
      () =>
        this.docker((d) =>
          d.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }),
        ),
      [404, 409],
    );
  }

  async copyToContainer(
    id: ContainerId,
    files: readonly { readonly path: string; readonly content: Buffer; readonly mode: number }[],
    deletions: readonly string[] = [],
  ): Promise<void> {
    const { putFiles } = await import('./files.js');
    await this.must(`copy files into ${id}`, () => this.docker((d) => putFiles(d.getContainer(id), files)));
    if (deletions.length === 0) return;
    // The archive API only adds; removal needs a process in the container (any image with rm).
    const res = await this.exec(id, ['rm', '-rf', '--', ...deletions], { timeoutMs: 10_000 });
    if (res.exitCode !== 0)
      throw new EngineRequestError(`remove files in ${id}`, new Error(res.output.trim() || 'rm failed'));
  }

  async renameContainer(id: ContainerId, name: string): Promise<void> {
    await this.must(`rename container ${id}`, () => this.docker((d) => d.getContainer(id).rename({ name })));
  }

  async inspectContainer(id: ContainerId): Promise<ContainerSnapshot> {
    const info = await this.must(`inspect container ${id}`, () => this.inspectRaw(id));
    return mapInspect(info);
  }

  async stats(id: ContainerId): Promise<ContainerStats> {
    return mapStats(await this.must(`stats of container ${id}`, () => this.reads.stats(id)));
  }

  async listContainers(
    labelFilters: readonly string[],
    opts: { all?: boolean } = {},
  ): Promise<readonly ContainerSnapshot[]> {
    const query = { all: opts.all ?? false, filters: { label: [...labelFilters] } };
    const list = await this.must('list containers', () => this.reads.listContainers(query));
    // The list lacks start/finish times and exact health, so each is inspected; one removed in
    // between is simply left out.
    const infos = await Promise.all(
      list.map((c) => this.call(`inspect container ${c.Id}`, () => this.inspectRaw(c.Id), [404])),
    );
    return infos
      .filter((i): i is InspectLike => i !== undefined)
      .map((i) => mapInspect(i))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `GET /containers/{id}/json`, untranslated (callers pass it through `call`/`must`). */
  private async inspectRaw(id: ContainerId): Promise<InspectLike> {
    const info = await this.reads.inspectContainer(id);
    if (this.ttys.size >= 4096) this.ttys.clear();
    this.ttys.set(info.Id, info.Config.Tty === true);
    return info;
  }

  async exec(
    id: ContainerId,
    cmd: readonly string[],
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ExecResult> {
    try {
      return await execInContainer(await this.client(), id, cmd, opts);
    } catch (e) {
      // Timeouts and aborts are the caller's own outcome, not engine failures: pass them through.
      if (e instanceof DOMException || opts.signal?.aborted) throw e;
      throw this.translate(`exec in ${id}`, e);
    }
  }

  logs(
    id: ContainerId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    return this.translated(`logs of ${id}`, this.logsOf(id, opts));
  }

  private async *logsOf(
    id: ContainerId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncGenerator<readonly LogLine[]> {
    const tty = this.ttys.get(id) ?? (await this.inspectRaw(id)).Config.Tty === true;
    yield* containerLogs((c, q, s) => this.reads.logBytes(c, q, s), tty, id, opts);
  }

  events(labelFilters: readonly string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    return this.translated('events', this.eventsOf(labelFilters, signal));
  }

  private async *eventsOf(labelFilters: readonly string[], signal: AbortSignal): AsyncGenerator<EngineEvent> {
    yield* containerEvents(await this.client(), labelFilters, signal);
  }

  private async *translated<T>(what: string, gen: AsyncGenerator<T>): AsyncGenerator<T> {
    try {
      yield* gen;
    } catch (e) {
      throw this.translate(what, e);
    }
  }
}
