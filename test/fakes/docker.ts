import type { ContainerId, DockerPort, ExecResult, LogLine } from '../../src/core/ports.js';
import { untilAborted } from './abort.js';
import type { FakeClock } from './clock.js';

export type FakeExecAnswer =
  | { readonly exitCode: number; readonly output?: string; readonly delayMs?: number }
  | { readonly error: string }
  | { readonly hang: true };

interface LogStream {
  readonly lines: LogLine[];
  ended: boolean;
  waiters: (() => void)[];
}

/**
 * The exec/logs part of DockerPort, in memory. Exec answers per container are consumed in order
 * (the last repeats; unscripted: exit 0). Logs replay what was emitted so far and, when
 * following, wait for more until `endLogs` or the signal.
 */
export class FakeDocker implements Pick<DockerPort, 'exec' | 'logs'> {
  readonly execCalls: {
    id: ContainerId;
    cmd: readonly string[];
    timeoutMs: number | undefined;
    at: number;
  }[] = [];
  private readonly execScripts = new Map<ContainerId, FakeExecAnswer[]>();
  private readonly streams = new Map<ContainerId, LogStream>();

  constructor(private readonly clock: FakeClock) {}

  scriptExec(id: ContainerId, ...answers: FakeExecAnswer[]): this {
    this.execScripts.set(id, [...answers]);
    return this;
  }

  /** Appends a line to the container's output; after `endLogs` it starts a new run (a restart). */
  emitLog(id: ContainerId, line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const s = this.stream(id);
    s.ended = false;
    s.lines.push({ stream, ts: '', line });
    this.wake(s);
  }

  /** The container's output ends (it stopped): following readers finish. */
  endLogs(id: ContainerId): void {
    const s = this.stream(id);
    s.ended = true;
    this.wake(s);
  }

  async exec(
    id: ContainerId,
    cmd: readonly string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ExecResult> {
    this.execCalls.push({ id, cmd, timeoutMs: opts?.timeoutMs, at: this.clock.now() });
    const queue = this.execScripts.get(id);
    const answer: FakeExecAnswer = (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? {
      exitCode: 0,
    };
    if ('hang' in answer) return untilAborted(opts?.signal);
    if ('error' in answer) throw new Error(answer.error);
    if (answer.delayMs !== undefined) await this.clock.sleep(answer.delayMs, opts?.signal);
    return { exitCode: answer.exitCode, output: answer.output ?? '' };
  }

  async *logs(
    id: ContainerId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    const s = this.stream(id);
    let i = opts.tail === undefined ? 0 : Math.max(0, s.lines.length - opts.tail);
    for (;;) {
      // What was emitted since the last read arrives as one batch, as from the engine's socket.
      if (i < s.lines.length) {
        const batch = s.lines.slice(i);
        i = s.lines.length;
        yield batch;
      }
      if (!opts.follow || s.ended || opts.signal?.aborted) return;
      await this.changed(s, opts.signal);
    }
  }

  private stream(id: ContainerId): LogStream {
    let s = this.streams.get(id);
    if (!s) {
      s = { lines: [], ended: false, waiters: [] };
      this.streams.set(id, s);
    }
    return s;
  }

  private changed(s: LogStream, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      s.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private wake(s: LogStream): void {
    const waiters = s.waiters;
    s.waiters = [];
    for (const w of waiters) w();
  }
}
