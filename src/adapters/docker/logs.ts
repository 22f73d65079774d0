import type Docker from 'dockerode';
import type { LogLine } from '../../core/ports.js';
import { LogDecoder } from '../../core/log-frames.js';
import { getJson, getStream, type EngineAddress } from './engine-http.js';
import { untilAborted } from './streams.js';

export interface LogsOptions {
  readonly follow: boolean;
  readonly tail?: number;
  readonly sinceS?: number;
  readonly timestamps: boolean;
  readonly signal?: AbortSignal;
}

/** The query of `GET /containers/{id}/logs`. */
export type LogsQuery = {
  readonly stdout: true;
  readonly stderr: true;
  readonly follow: boolean;
  readonly timestamps: boolean;
  readonly tail?: number;
  readonly since?: number;
};

/** Where a container's log bytes come from: the plain engine client, or dockerode. */
export interface LogBytes {
  /** A TTY container's log is one raw stream; without a TTY it is framed (stdout/stderr). */
  tty(id: string): Promise<boolean>;
  /** The log's bytes as they arrive, until the engine ends them or `signal` aborts. */
  open(id: string, query: LogsQuery, signal?: AbortSignal): AsyncIterable<Buffer>;
}

/**
 * A container's log as batches of lines: one batch per chunk read from the engine, so what the
 * core does per line is not paid again per line in async iteration.
 */
export async function* containerLogs(
  bytes: LogBytes,
  id: string,
  opts: LogsOptions,
): AsyncGenerator<LogLine[]> {
  const decoder = new LogDecoder({ tty: await bytes.tty(id), timestamps: opts.timestamps });
  if (opts.signal?.aborted) return;
  const query: LogsQuery = {
    stdout: true,
    stderr: true,
    follow: opts.follow,
    timestamps: opts.timestamps,
    ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    ...(opts.sinceS === undefined ? {} : { since: opts.sinceS }),
  };
  for await (const chunk of bytes.open(id, query, opts.signal)) {
    const lines = decoder.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Straight from the engine's socket (see engine-http.ts). `known`: a TTY flag already seen. */
export function plainLogBytes(address: EngineAddress, known: (id: string) => boolean | undefined): LogBytes {
  return {
    async tty(id) {
      const seen = known(id);
      if (seen !== undefined) return seen;
      const info = await getJson<{ Config?: { Tty?: unknown } }>(
        address,
        `/containers/${encodeURIComponent(id)}/json`,
      );
      return info.Config?.Tty === true;
    },
    open(id, query, signal) {
      return getStream(address, `/containers/${encodeURIComponent(id)}/logs`, query, signal);
    },
  };
}

/** Through dockerode, for endpoints the plain client does not do (TLS, ssh). */
export function dockerodeLogBytes(client: () => Promise<Docker>): LogBytes {
  return {
    async tty(id) {
      const docker = await client();
      return (await docker.getContainer(id).inspect()).Config.Tty;
    },
    async *open(id, query, signal) {
      const docker = await client();
      const stream = query.follow
        ? await docker
            .getContainer(id)
            .logs({ ...query, follow: true, ...(signal === undefined ? {} : { abortSignal: signal }) })
        : await historicStream(docker, id, query, signal);
      yield* untilAborted(stream, signal);
    },
  };
}

/** `GET /containers/{id}/logs` without follow, as a stream (dockerode's own call buffers it). */
function historicStream(
  docker: Docker,
  id: string,
  query: LogsQuery,
  abortSignal: AbortSignal | undefined,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { ...query, follow: false },
        ...(abortSignal ? { abortSignal } : {}),
      },
      (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
    );
  });
}
