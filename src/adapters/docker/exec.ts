import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { ExecResult } from '../../core/ports.js';
import { FrameDemuxer } from '../../core/log-frames.js';

export interface ExecOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `cmd` in the container and collects stdout and stderr together, in arrival order. On
 * timeout or abort the connection is dropped and the call rejects (TimeoutError / AbortError);
 * the process itself keeps running in the container, as the Engine API cannot kill an exec.
 */
export async function execInContainer(
  docker: Docker,
  id: string,
  cmd: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  opts.signal?.throwIfAborted();
  const exec = await docker.getContainer(id).exec({
    Cmd: [...cmd],
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream & {
    destroy(error?: Error): void;
  };

  const demux = new FrameDemuxer();
  const decoder = new StringDecoder('utf8');
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;

  const collected = new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      for (const frame of demux.push(chunk)) output += decoder.write(frame.data);
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
  const stopped = new Promise<never>((_, reject) => {
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          reject(
            new DOMException(`exec timed out after ${opts.timeoutMs}ms: ${cmd.join(' ')}`, 'TimeoutError'),
          ),
        opts.timeoutMs,
      );
    }
    if (opts.signal) {
      const signal = opts.signal;
      onAbort = () =>
        reject(
          signal.reason instanceof Error ? signal.reason : new DOMException('exec aborted', 'AbortError'),
        );
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    await Promise.race([collected, stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  output += decoder.end();

  // The output can end a moment before the engine records the exit code.
  for (let i = 0; i < 100; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, output };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`exec in ${id} ended its output but the engine reports it still running: ${cmd.join(' ')}`);
}
