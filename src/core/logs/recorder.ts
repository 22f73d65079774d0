import type { Clock } from '../ports.js';
import type { LogStore } from './store.js';
import type { SourcedRecord } from './types.js';

export interface RecorderOptions {
  /** Buffered records are written at least this often. */
  readonly flushMs: number;
  /** …and as soon as this many are buffered. */
  readonly maxBatch: number;
  /** A failed write (disk full, permissions): reported, and recording goes on. */
  readonly onError?: (err: unknown) => void;
}

export interface Recorder {
  add(r: SourcedRecord): void;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops the timer; later `add`s are ignored. */
  close(): Promise<void>;
}

/**
 * Feeds captured records into the on-disk store in batches (never one write per line), for
 * `orch up` in the foreground and the supervisor: `captureProject({ onRecord: (r) => { view(r);
 * recorder.add(r); } })`, then `await recorder.close()` on the way out.
 */
export function createRecorder(
  store: LogStore,
  clock: Clock,
  opts: RecorderOptions = { flushMs: 500, maxBatch: 2000 },
): Recorder {
  let buffer: SourcedRecord[] = [];
  let timer: AbortController | undefined;
  let closed = false;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    timer?.abort();
    timer = undefined;
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() =>
      store.append([batch]).catch((err: unknown) => {
        opts.onError?.(err);
      }),
    );
    return writing;
  };

  return {
    add(r) {
      if (closed) return;
      buffer.push(r);
      if (buffer.length >= opts.maxBatch) {
        void flush();
        return;
      }
      if (timer) return;
      const t = new AbortController();
      timer = t;
      clock.sleep(opts.flushMs, t.signal).then(
        () => {
          if (timer === t) void flush();
        },
        () => undefined,
      );
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
