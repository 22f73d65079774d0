import type { Clock } from '../ports.js';
import type { LogRecord } from './types.js';

/**
 * Time order across replicas. Historic output: each replica's log is (almost always) already in ts
 * order, so a k-way merge does it in O(n log k); a replica whose log is not is stable-sorted first.
 * Ties keep source order (the caller's order of sources), then position within the source.
 * `presorted`: the caller knows each source is in ts order already (no check). A single source
 * comes back as it is, not copied.
 */
export function mergeSorted<T extends LogRecord>(
  sources: readonly (readonly T[])[],
  presorted = false,
): readonly T[] {
  const lists = sources.filter((s) => s.length > 0).map((s) => (presorted || isSorted(s) ? s : sortByTs(s)));
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0] ?? [];
  const total = lists.reduce((n, l) => n + l.length, 0);
  const out: T[] = new Array<T>(total);
  // Heap of source indexes, keyed by the ts at each source's cursor.
  const pos = new Array<number>(lists.length).fill(0);
  const heap: number[] = lists.map((_, i) => i);
  const key = (i: number): string => (lists[i] as readonly T[])[pos[i] as number]?.ts ?? '';
  const less = (a: number, b: number): boolean => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb || (ka === kb && a < b);
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, less);
  for (let n = 0; n < total; n++) {
    const top = heap[0] as number;
    const list = lists[top] as readonly T[];
    const p = pos[top] as number;
    out[n] = list[p] as T;
    pos[top] = p + 1;
    if (p + 1 >= list.length) {
      const last = heap.pop() as number;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    siftDown(heap, 0, less);
  }
  return out;
}

function isSorted(list: readonly LogRecord[]): boolean {
  for (let i = 1; i < list.length; i++)
    if ((list[i] as LogRecord).ts < (list[i - 1] as LogRecord).ts) return false;
  return true;
}

/** A copy in ts order; equal timestamps keep their order (Array.prototype.sort is stable, ES2019). */
export function sortByTs<T extends LogRecord>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

function siftDown<T>(heap: T[], start: number, less: (a: T, b: T) => boolean): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && less(heap[l] as T, heap[m] as T)) m = l;
    if (r < heap.length && less(heap[r] as T, heap[m] as T)) m = r;
    if (m === i) return;
    const t = heap[i] as T;
    heap[i] = heap[m] as T;
    heap[m] = t;
    i = m;
  }
}

function siftUp<T>(heap: T[], start: number, less: (a: T, b: T) => boolean): void {
  let i = start;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i] as T, heap[p] as T)) return;
    const t = heap[i] as T;
    heap[i] = heap[p] as T;
    heap[p] = t;
    i = p;
  }
}

export interface LiveOrderOptions {
  /** How long a line may wait for earlier-stamped lines from other replicas. */
  readonly windowMs: number;
  /** At most this many lines are held; past it the earliest goes out at once (bounded memory). */
  readonly maxBuffered: number;
}

export const defaultLiveOrder: LiveOrderOptions = { windowMs: 100, maxBuffered: 10_000 };

interface Held<T> {
  readonly rec: T;
  readonly seq: number;
  readonly arrivedAt: number;
}

/**
 * Live lines from several replicas arrive with small skews between streams. Each line is held
 * for `windowMs` after it arrived (by the `Clock`); when a line is due, it goes out together with
 * every held line stamped no later than it, all in ts order. A line that arrives after a later-
 * stamped one was already written goes out at once (it cannot be put back; better late than lost).
 */
export class LiveOrderer<T extends LogRecord> {
  private readonly heap: Held<T>[] = [];
  private arrivals: Held<T>[] = [];
  private arrivalsHead = 0;
  private seq = 0;
  private timer = false;
  private closed = false;
  private lastOut = '';

  constructor(
    private readonly clock: Clock,
    private readonly emit: (batch: readonly T[]) => void,
    private readonly opts: LiveOrderOptions = defaultLiveOrder,
    private readonly signal?: AbortSignal,
  ) {}

  get buffered(): number {
    return this.heap.length;
  }

  push(rec: T): void {
    if (this.closed) return;
    if (rec.ts < this.lastOut) {
      this.emit([rec]);
      return;
    }
    const held: Held<T> = { rec, seq: this.seq++, arrivedAt: this.clock.now() };
    this.heap.push(held);
    siftUp(this.heap, this.heap.length - 1, heldLess);
    this.arrivals.push(held);
    // Every held line is also in the pending arrivals, so bounding those bounds both: past the cap
    // the earliest arrivals are treated as due now.
    if (this.arrivals.length - this.arrivalsHead > this.opts.maxBuffered)
      this.release(this.arrivals.length - this.opts.maxBuffered, Number.POSITIVE_INFINITY);
    this.schedule();
  }

  /** Writes everything held, in ts order (end of the stream). */
  close(): void {
    const out: T[] = [];
    while (this.heap.length > 0) out.push(this.popMin().rec);
    this.arrivals = [];
    this.arrivalsHead = 0;
    this.closed = true;
    this.send(out);
  }

  /** Writes what is due at the clock's now; normally driven by the orderer's own timer. */
  flushDue(): void {
    this.release(this.arrivals.length, this.clock.now() - this.opts.windowMs);
  }

  /** Consumes arrivals up to index `until` that arrived by `dueBefore`; writes held lines up to their latest ts. */
  private release(until: number, dueBefore: number): void {
    let upTo = '';
    let due = false;
    while (this.arrivalsHead < until) {
      const a = this.arrivals[this.arrivalsHead] as Held<T>;
      if (a.arrivedAt > dueBefore) break;
      due = true;
      if (a.rec.ts > upTo) upTo = a.rec.ts;
      this.arrivalsHead++;
    }
    // Drop consumed entries now and then, so the queue stays as small as what is held.
    if (this.arrivalsHead > 1024 && this.arrivalsHead * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead);
      this.arrivalsHead = 0;
    }
    if (!due) return;
    const out: T[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Held<T>).rec.ts <= upTo) out.push(this.popMin().rec);
    this.send(out);
  }

  private popMin(): Held<T> {
    const top = this.heap[0] as Held<T>;
    const last = this.heap.pop() as Held<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      siftDown(this.heap, 0, heldLess);
    }
    return top;
  }

  private send(out: T[]): void {
    if (out.length === 0) return;
    const last = out[out.length - 1] as T;
    if (last.ts > this.lastOut) this.lastOut = last.ts;
    this.emit(out);
  }

  private schedule(): void {
    if (this.timer || this.closed || this.arrivalsHead >= this.arrivals.length) return;
    const next = this.arrivals[this.arrivalsHead] as Held<T>;
    const wait = Math.max(0, next.arrivedAt + this.opts.windowMs - this.clock.now());
    this.timer = true;
    this.clock.sleep(wait, this.signal).then(
      () => {
        this.timer = false;
        if (this.closed) return;
        this.flushDue();
        this.schedule();
      },
      () => {
        // Aborted: the owner closes the orderer, which writes what is held.
        this.timer = false;
      },
    );
  }
}

function heldLess<T extends LogRecord>(a: Held<T>, b: Held<T>): boolean {
  return a.rec.ts < b.rec.ts || (a.rec.ts === b.rec.ts && a.seq < b.seq);
}
