import type { EngineEvent, LogLine } from '../../../src/core/ports.js';
import type { ReplicaReader } from '../../../src/core/runtime/all-replicas.js';
import type { ReplicaSnapshot } from '../../../src/core/runtime/port.js';

interface Box {
  snap: ReplicaSnapshot;
  lines: LogLine[];
  running: boolean;
  waiters: (() => void)[];
}

/** list/logs/events of a project in memory: containers print, stop, restart, appear. */
export class FakeEngine implements ReplicaReader {
  private readonly boxes = new Map<string, Box>();
  private readonly eventWaiters: ((e: EngineEvent | 'broken') => void)[] = [];
  readonly logCalls: { id: string; follow: boolean; tail?: number; sinceS?: number }[] = [];
  /** Most lines per batch `logs` hands out (the engine's chunks cut a log anywhere). */
  batchSize = Number.POSITIVE_INFINITY;

  constructor(private readonly project: string) {}

  add(id: string, service: string, replica = 1, running = true): this {
    const labels = {
      'dev.orch.project': this.project,
      'dev.orch.service': service,
      'dev.orch.replica': String(replica),
    };
    this.boxes.set(id, {
      snap: {
        id,
        runtime: 'container',
        name: `${this.project}-${service}-${replica}`,
        image: 'busybox',
        labels,
        state: running ? 'running' : 'exited',
        exitCode: running ? null : 0,
        health: 'none',
        createdAt: `2024-01-01T00:00:00.${id.length}Z`,
        startedAt: null,
        finishedAt: null,
        ports: [],
      },
      lines: [],
      running,
      waiters: [],
    });
    return this;
  }

  print(id: string, ts: string, line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const b = this.box(id);
    b.lines.push({ stream, ts, line });
    this.wake(b);
  }

  stop(id: string): void {
    const b = this.box(id);
    b.running = false;
    b.snap = { ...b.snap, state: 'exited' };
    this.wake(b);
  }

  /** Starts (again) and sends the engine's `start` event (unless `event: false`). */
  start(id: string, timeMs: number, opts: { event?: boolean } = {}): void {
    const b = this.box(id);
    b.running = true;
    b.snap = { ...b.snap, state: 'running' };
    if (opts.event === false) return;
    const ev: EngineEvent = { type: 'start', id, labels: b.snap.labels, time: timeMs };
    for (const w of this.eventWaiters) w(ev);
  }

  /** Every open event stream throws (the engine restarted); new ones subscribe as before. */
  breakEvents(): void {
    const ws = this.eventWaiters.splice(0);
    for (const w of ws) w('broken');
  }

  /** Which `list` calls (1-based) fail, as they do while the engine is away. */
  readonly failingLists = new Set<number>();
  private lists = 0;

  list(): Promise<readonly ReplicaSnapshot[]> {
    if (this.failingLists.has(++this.lists)) return Promise.reject(new Error('connect ENOENT'));
    return Promise.resolve([...this.boxes.values()].map((b) => b.snap));
  }

  async *logs(
    id: string,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    this.logCalls.push({
      id,
      follow: opts.follow,
      ...(opts.tail === undefined ? {} : { tail: opts.tail }),
      ...(opts.sinceS === undefined ? {} : { sinceS: opts.sinceS }),
    });
    const b = this.box(id);
    const eligible = (l: LogLine): boolean =>
      opts.sinceS === undefined || Date.parse(l.ts) / 1000 >= opts.sinceS;
    let i = 0;
    if (opts.tail !== undefined) i = Math.max(0, b.lines.length - opts.tail);
    for (;;) {
      // What was printed since the last read, in batches of at most `batchSize` lines.
      while (i < b.lines.length) {
        const batch = b.lines.slice(i, i + this.batchSize).filter(eligible);
        i = Math.min(b.lines.length, i + this.batchSize);
        if (batch.length > 0) yield batch;
      }
      if (!opts.follow || !b.running || opts.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        b.waiters.push(resolve);
        opts.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  async *events(_project: string, signal: AbortSignal): AsyncIterable<EngineEvent> {
    const queue: (EngineEvent | 'broken')[] = [];
    let wake: (() => void) | undefined;
    this.eventWaiters.push((e) => {
      queue.push(e);
      wake?.();
    });
    while (!signal.aborted) {
      const e = queue.shift();
      if (e === 'broken') throw new Error('socket hang up');
      if (e) {
        yield e;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  private box(id: string): Box {
    const b = this.boxes.get(id);
    if (!b) throw new Error(`no container ${id}`);
    return b;
  }

  private wake(b: Box): void {
    const ws = b.waiters;
    b.waiters = [];
    for (const w of ws) w();
  }
}

/** `2024-01-01T00:00:SS.mmm` plus trimmed zeros, as the engine writes them. */
export function ts(ms: number): string {
  const d = new Date(Date.UTC(2024, 0, 1) + ms).toISOString();
  return d.replace(/\.?0+Z$/, 'Z');
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
