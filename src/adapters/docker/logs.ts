import type { LogLine } from '../../core/ports.js';
import { LogDecoder } from '../../core/log-frames.js';

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

/**
 * A container's log as batches of lines: one batch per chunk read from the engine, so what the
 * core does per line is not paid again per line in async iteration.
 */
export async function* containerLogs(
  bytes: (id: string, query: LogsQuery, signal?: AbortSignal) => AsyncIterable<Buffer>,
  /** A TTY container's log is one raw stream; without a TTY it is framed (stdout/stderr). */
  tty: boolean,
  id: string,
  opts: LogsOptions,
): AsyncGenerator<LogLine[]> {
  const decoder = new LogDecoder({ tty, timestamps: opts.timestamps });
  if (opts.signal?.aborted) return;
  const query: LogsQuery = {
    stdout: true,
    stderr: true,
    follow: opts.follow,
    timestamps: opts.timestamps,
    ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    ...(opts.sinceS === undefined ? {} : { since: opts.sinceS }),
  };
  for await (const chunk of bytes(id, query, opts.signal)) {
    const lines = decoder.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}
