import { connect, type Socket } from 'node:net';

export interface ReadOptions {
  /** After data arrives for a waiting reader, wait this long for more before handing it over. */
  readonly gatherMs: number;
  /** Hand over at once when this many bytes are waiting. */
  readonly handOverBytes: number;
  /** Stop reading from the socket while this many bytes wait for a slow reader. */
  readonly pauseBytes: number;
}

export const defaultReadOptions: ReadOptions = {
  gatherMs: 2,
  handOverBytes: 256 * 1024,
  pauseBytes: 4 * 1024 * 1024,
};

const BLOCK = 256 * 1024;
const MIN_ROOM = 16 * 1024;

/**
 * Received bytes, kept in large blocks that the socket reads straight into (Node's `onread`), so
 * a read costs no Buffer of its own and no pass through the stream machinery.
 */
class Blocks {
  private block = Buffer.allocUnsafe(BLOCK);
  /** First byte not handed over yet. */
  private start = 0;
  /** First free byte. */
  private end = 0;

  get waiting(): number {
    return this.end - this.start;
  }

  /** Where the next read goes: the room after what was received, in a fresh block when that is small. */
  room(): Buffer {
    if (this.block.length - this.end < MIN_ROOM) {
      const fresh = Buffer.allocUnsafe(Math.max(BLOCK, 2 * this.waiting + MIN_ROOM));
      this.block.copy(fresh, 0, this.start, this.end);
      this.block = fresh;
      this.end -= this.start;
      this.start = 0;
    }
    return this.block.subarray(this.end);
  }

  received(n: number): void {
    this.end += n;
  }

  /** Everything received and not handed over yet (a view: later reads go after it). */
  take(): Buffer {
    const out = this.block.subarray(this.start, this.end);
    this.start = this.end;
    return out;
  }
}

/**
 * Connects, writes `request`, and yields what the peer sends until it closes the connection (or
 * `signal` aborts: then the iteration just ends, and breaking out of it closes the socket too).
 *
 * Why not `for await (const chunk of socket)`: the engine writes a log one line at a time and
 * stops writing once a few KiB wait in the socket, so the reader must take each small piece as
 * it comes (pausing stalls the engine), ~30,000 reads for 200,000 lines. Taking them through the
 * stream machinery, a Buffer each, and handing each on through the async iterators above costs
 * more than decoding the lines. Here every read lands in a shared block, and what arrived within
 * `gatherMs` goes on as one Buffer.
 */
export async function* readSocket(
  target: { readonly path: string } | { readonly host: string; readonly port: number },
  request: string,
  signal?: AbortSignal,
  opts: ReadOptions = defaultReadOptions,
): AsyncGenerator<Buffer> {
  if (signal?.aborted) return;
  const blocks = new Blocks();
  let ended = false;
  let failure: unknown;
  let paused = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const handOver = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const socket: Socket = connect({
    ...target,
    onread: {
      buffer: () => blocks.room(),
      callback: (n: number) => {
        blocks.received(n);
        const waiting = blocks.waiting;
        if (waiting >= opts.handOverBytes) handOver();
        else if (timer === undefined && wake !== undefined) timer = setTimeout(handOver, opts.gatherMs);
        if (waiting < opts.pauseBytes) return true;
        paused = true;
        return false; // stop reading until the reader has taken what is here
      },
    },
  });
  const finish = (): void => {
    ended = true;
    handOver();
  };
  const onError = (err: Error): void => {
    failure ??= err;
    finish();
  };
  const onAbort = (): void => {
    socket.destroy();
    finish();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  socket.on('end', finish);
  socket.on('close', finish);
  socket.on('error', onError);
  socket.write(request);
  try {
    for (;;) {
      if (signal?.aborted) return;
      if (blocks.waiting > 0) {
        const piece = blocks.take();
        if (paused) {
          paused = false;
          socket.resume();
        }
        yield piece;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined && !signal?.aborted) throw failure;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
