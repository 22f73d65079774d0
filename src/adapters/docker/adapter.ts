import Docker from 'dockerode';
import type {
  BuildRequest,
  ContainerCreateSpec,
  ContainerId,
  ContainerSnapshot,
  DockerPort,
  EngineEvent,
  EngineInfo,
  ExecResult,
  LogLine,
} from '../../core/ports.js';
import { OrchError, isOrchError } from '../../errors/index.js';
import { buildImage } from './build.js';
import { toCreateOptions } from './create-spec.js';
import {
  EngineRequestError,
  engineMessage,
  isUnreachable,
  statusCode,
  unreachableError,
} from './engine-errors.js';
import { containerEvents } from './events.js';
import { execInContainer } from './exec.js';
import { putFiles } from './files.js';
import { jsonLines, progressError } from './json-lines.js';
import { containerLogs } from './logs.js';
import { mapInspect, type InspectLike } from './map-inspect.js';

type Labels = Readonly<Record<string, string>>;

/**
 * `DockerPort` on dockerode. Without options dockerode reads DOCKER_HOST (and DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH), else uses /var/run/docker.sock. Every engine error passes through
 * `translate`: an unreachable engine becomes ENGINE_UNREACHABLE, anything else an
 * EngineRequestError carrying the engine's own message.
 */
export class DockerodeAdapter implements DockerPort {
  private readonly docker: Docker;
  private readonly endpoint: string;

  constructor(options?: Docker.DockerOptions) {
    this.docker = options === undefined ? new Docker() : new Docker(options);
    const modem = this.docker.modem as {
      socketPath?: unknown;
      host?: unknown;
      port?: unknown;
      protocol?: unknown;
    };
    this.endpoint =
      typeof modem.socketPath === 'string'
        ? modem.socketPath
        : typeof modem.host === 'string'
          ? `${String(modem.protocol ?? 'http')}://${modem.host}${modem.port ? `:${String(modem.port)}` : ''}`
          : (process.env['DOCKER_HOST'] ?? '/var/run/docker.sock');
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
    const v = await this.must('docker version', () => this.docker.version());
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  // ---- images

  async imageExists(ref: string): Promise<boolean> {
    return (
      (await this.call(`inspect image ${ref}`, () => this.docker.getImage(ref).inspect(), [404])) !==
      undefined
    );
  }

  async imageId(ref: string): Promise<string | undefined> {
    const info = await this.call(`inspect image ${ref}`, () => this.docker.getImage(ref).inspect(), [404]);
    return info?.Id;
  }

  async pullImage(ref: string, onLine?: (line: string) => void): Promise<void> {
    const unavailable = (why: string, cause?: unknown): OrchError =>
      new OrchError('IMAGE_UNAVAILABLE', `cannot pull image ${ref}: ${why}`, { cause });
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(ref);
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
    await buildImage(this.docker, req, onLine, (e) => {
      throw this.translate(`build ${req.tag}`, e);
    });
  }

  // ---- networks

  async networkExists(name: string): Promise<boolean> {
    const info = await this.call(
      `inspect network ${name}`,
      () => this.docker.getNetwork(name).inspect(),
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
      this.docker.createNetwork({
        Name: name,
        Labels: { ...labels },
        CheckDuplicate: true,
        Driver: opts.driver ?? 'bridge',
        Internal: opts.internal ?? false,
      }),
    );
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(`remove network ${name}`, () => this.docker.getNetwork(name).remove(), [404]);
  }

  async listNetworks(labelFilters: readonly string[]): Promise<readonly { name: string; labels: Labels }[]> {
    const list = await this.must('list networks', () =>
      this.docker.listNetworks({ filters: { label: [...labelFilters] } }),
    );
    return list.map((n) => ({ name: n.Name, labels: { ...(n.Labels ?? {}) } }));
  }

  // ---- volumes

  async volumeExists(name: string): Promise<boolean> {
    return (
      (await this.call(`inspect volume ${name}`, () => this.docker.getVolume(name).inspect(), [404])) !==
      undefined
    );
  }

  async createVolume(name: string, labels: Labels, opts: { driver?: string } = {}): Promise<void> {
    await this.must(`create volume ${name}`, () =>
      this.docker.createVolume({ Name: name, Labels: { ...labels }, Driver: opts.driver ?? 'local' }),
    );
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, () => this.docker.getVolume(name).remove(), [404]);
  }

  async listVolumes(labelFilters: readonly string[]): Promise<readonly { name: string; labels: Labels }[]> {
    const res = await this.must('list volumes', () =>
      this.docker.listVolumes({ filters: { label: [...labelFilters] } }),
    );
    return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: { ...(v.Labels ?? {}) } }));
  }

  // ---- containers

  async createContainer(spec: ContainerCreateSpec): Promise<ContainerId> {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(toCreateOptions(spec));
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
        await this.docker
          .getNetwork(net.name)
          .connect({ Container: container.id, EndpointConfig: { Aliases: [...net.aliases] } });
      }
      await putFiles(container, spec.files);
    } catch (e) {
      // A half-made container would be picked up later as if it were complete: remove it.
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw this.translate(`prepare container ${spec.name}`, e);
    }
    return container.id;
  }

  async startContainer(id: ContainerId): Promise<void> {
    // 304: already started.
    await this.call(`start container ${id}`, () => this.docker.getContainer(id).start(), [304]);
  }

  async stopContainer(id: ContainerId, timeoutS: number): Promise<void> {
    // 304: already stopped; 404: already gone.
    await this.call(
      `stop container ${id}`,
      () => this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutS)) }),
      [304, 404],
    );
  }

  async killContainer(id: ContainerId, signal?: string): Promise<void> {
    // 409: not running any more, which is what a kill wants.
    await this.call(
      `kill container ${id}`,
      () => this.docker.getContainer(id).kill(signal === undefined ? {} : { signal }),
      [404, 409],
    );
  }

  async removeContainer(id: ContainerId, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    // 404: gone; 409 "removal already in progress".
    await this.call(
      `remove container ${id}`,
      () => this.docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }),
      [404, 409],
    );
  }

  async copyToContainer(
    id: ContainerId,
    files: readonly { readonly path: string; readonly content: Buffer; readonly mode: number }[],
    deletions: readonly string[] = [],
  ): Promise<void> {
    const container = this.docker.getContainer(id);
    await this.must(`copy files into ${id}`, () => putFiles(container, files));
    if (deletions.length === 0) return;
    // The archive API only adds; removal needs a process in the container (any image with rm).
    const res = await this.exec(id, ['rm', '-rf', '--', ...deletions], { timeoutMs: 10_000 });
    if (res.exitCode !== 0)
      throw new EngineRequestError(`remove files in ${id}`, new Error(res.output.trim() || 'rm failed'));
  }

  async renameContainer(id: ContainerId, name: string): Promise<void> {
    await this.must(`rename container ${id}`, () => this.docker.getContainer(id).rename({ name }));
  }

  async inspectContainer(id: ContainerId): Promise<ContainerSnapshot> {
    const info = await this.must(`inspect container ${id}`, () => this.docker.getContainer(id).inspect());
    return mapInspect(info as unknown as InspectLike);
  }

  async listContainers(
    labelFilters: readonly string[],
    opts: { all?: boolean } = {},
  ): Promise<readonly ContainerSnapshot[]> {
    const list = await this.must('list containers', () =>
      this.docker.listContainers({ all: opts.all ?? false, filters: { label: [...labelFilters] } }),
    );
    // The list lacks start/finish times and exact health, so each is inspected; one removed in
    // between is simply left out.
    const infos = await Promise.all(
      list.map((c) =>
        this.call(`inspect container ${c.Id}`, () => this.docker.getContainer(c.Id).inspect(), [404]),
      ),
    );
    return infos
      .filter((i): i is Docker.ContainerInspectInfo => i !== undefined)
      .map((i) => mapInspect(i as unknown as InspectLike))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async exec(
    id: ContainerId,
    cmd: readonly string[],
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ExecResult> {
    try {
      return await execInContainer(this.docker, id, cmd, opts);
    } catch (e) {
      // Timeouts and aborts are the caller's own outcome, not engine failures: pass them through.
      if (e instanceof DOMException || opts.signal?.aborted) throw e;
      throw this.translate(`exec in ${id}`, e);
    }
  }

  logs(
    id: ContainerId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<LogLine> {
    return this.translated(`logs of ${id}`, containerLogs(this.docker, id, opts));
  }

  events(labelFilters: readonly string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    return this.translated('events', containerEvents(this.docker, labelFilters, signal));
  }

  private async *translated<T>(what: string, gen: AsyncGenerator<T>): AsyncGenerator<T> {
    try {
      yield* gen;
    } catch (e) {
      throw this.translate(what, e);
    }
  }
}
