import type { LogLine } from '../../src/core/ports.js';

/** One replica's output in memory: what it printed, and readers that follow it while it runs. */
export class FakeLogBuffer {
  private readonly lines: LogLine[] = [];
  private waiters: (() => void)[] = [];

  push(line: LogLine): void {
    this.lines.push(line);
    this.wake();
  }

  /** Followers look again (the replica stopped: they end). */
  wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** As the engine's logs: what was printed since the last read as one batch, following while `running()`. */
  async *read(
    opts: { follow: boolean; tail?: number; signal?: AbortSignal },
    running: () => boolean,
  ): AsyncIterable<readonly LogLine[]> {
    let i = opts.tail === undefined ? 0 : Math.max(0, this.lines.length - opts.tail);
    for (;;) {
      if (i < this.lines.length) {
        const batch = this.lines.slice(i);
        i = this.lines.length;
        yield batch;
      }
      if (!opts.follow || !running() || opts.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        opts.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}
