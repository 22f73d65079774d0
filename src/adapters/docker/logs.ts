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

  if (!opts.follow) {
    // Without follow, dockerode hands back the whole log as one Buffer rather than a stream.
    const all = await container.logs({ ...base, follow: false });
    yield* decoder.push(Buffer.isBuffer(all) ? all : Buffer.from(String(all)));
    yield* decoder.end();
    return;
  }
  const stream = await container.logs({ ...base, follow: true });
  for await (const chunk of untilAborted(stream, opts.signal)) yield* decoder.push(chunk);
  yield* decoder.end();
}
