import type Docker from 'dockerode';
import type { LogLine } from '../../core/ports.js';
import { LogDecoder } from '../../core/log-frames.js';
import { untilAborted } from './streams.js';

export interface LogsOptions {
  readonly follow: boolean;
  readonly tail?: number;
  readonly sinceS?: number;
  readonly timestamps: boolean;
  readonly signal?: AbortSignal;
}

export async function* containerLogs(docker: Docker, id: string, opts: LogsOptions): AsyncGenerator<LogLine> {
  const container = docker.getContainer(id);
  // A TTY container's log is one raw stream; without a TTY it is framed (stdout/stderr).
  const info = await container.inspect();
  const decoder = new LogDecoder({ tty: info.Config.Tty, timestamps: opts.timestamps });
  const base = {
    stdout: true,
    stderr: true,
    timestamps: opts.timestamps,
    ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    ...(opts.sinceS === undefined ? {} : { since: opts.sinceS }),
    ...(opts.signal === undefined ? {} : { abortSignal: opts.signal }),
  };
  if (opts.signal?.aborted) return;

  // dockerode buffers the whole log when not following; the engine streams it either way, so ask
  // for a stream and decode lines as they arrive (200,000 lines need not sit in memory first).
  const stream = opts.follow
    ? await container.logs({ ...base, follow: true })
    : await historicStream(docker, id, base);
  for await (const chunk of untilAborted(stream, opts.signal)) yield* decoder.push(chunk);
  yield* decoder.end();
}

/** `GET /containers/{id}/logs` without follow, as a stream (dockerode's own call buffers it). */
function historicStream(
  docker: Docker,
  id: string,
  query: Record<string, unknown> & { abortSignal?: AbortSignal },
): Promise<NodeJS.ReadableStream> {
  const { abortSignal, ...options } = query;
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { ...options, follow: false },
        ...(abortSignal ? { abortSignal } : {}),
      },
      (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
    );
  });
}
