import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CURRENT, LogStore, rotatedName } from '../../core/logs/store.js';
import { carriesId, extractIds } from '../../core/logs/correlate.js';
import { lineKey, withIds } from '../../core/logs/query.js';
import { sortByTs } from '../../core/logs/order.js';
import type { LogRecord } from '../../core/logs/types.js';
import { fsLogStore } from '../log-store-fs.js';
import type { DashboardLogs, LogFilter } from './source.js';

export interface LogFeedOptions {
  /** Lines kept in memory for the page's first screen and filters. */
  readonly capacity?: number;
  readonly pollMs?: number;
  /** Rotated files in the store (its `files` limit). */
  readonly files?: number;
}

/**
 * The dashboard's view of the project's log store (`.orch/logs/<project>/`): its newest lines at
 * start (so history survives a supervisor restart), then whatever is appended, found by following
 * `current.jsonl` from the last offset. Reading the store rather than tapping a recorder makes the
 * foreground `up` and the background supervisor the same case, and it sees the gateway's access
 * lines and every replica's lines exactly as `orch logs` does.
 */
export class LogFeed implements DashboardLogs {
  private ring: LogRecord[] = [];
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly listeners = new Set<(batch: readonly LogRecord[]) => void>();
  private readonly capacity: number;
  private readonly store: LogStore;

  constructor(
    private readonly dir: string,
    private readonly opts: LogFeedOptions = {},
  ) {
    this.capacity = opts.capacity ?? 20_000;
    this.store = new LogStore(fsLogStore(dir));
  }

  async start(): Promise<void> {
    await this.loadHistory();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 250);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  recent(filter: LogFilter): readonly LogRecord[] {
    const services = filter.services && filter.services.length > 0 ? new Set(filter.services) : undefined;
    const out: LogRecord[] = [];
    for (let i = this.ring.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const r = this.ring[i] as LogRecord;
      if (services && !services.has(r.service)) continue;
      if (filter.grep && !filter.grep.test(r.line)) continue;
      out.push(r);
    }
    // The store holds each container's lines in order, not the project's: merge by time for the page.
    return sortByTs(out.reverse());
  }

  subscribe(listener: (batch: readonly LogRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Every stored line carrying `id`, and, one step further, every line carrying the other id found
   * on those lines (the gateway's access line pairs the request id with the trace id), so a click
   * on either id shows the whole request.
   */
  async trace(id: string): Promise<readonly LogRecord[]> {
    const found = new Map<string, LogRecord>();
    const related = new Set<string>();
    const collect = async (needle: string, first: boolean): Promise<void> => {
      for (const r of await this.store.readContaining(needle)) {
        if (!carriesId(r.line, needle)) continue;
        found.set(lineKey(r), withIds(r));
        if (first) {
          const ids = extractIds(r.line);
          for (const other of [ids.requestId, ids.traceId])
            if (other !== undefined && other !== needle) related.add(other);
        }
      }
    };
    await collect(id, true);
    for (const other of [...related].slice(0, 4)) await collect(other, false);
    return sortByTs([...found.values()]);
  }

  private async loadHistory(): Promise<void> {
    const files = Math.max(1, this.opts.files ?? 5);
    const chunks: LogRecord[][] = [];
    let have = 0;
    // Newest file first, until the ring is full: a 50 MB store is not read whole.
    for (let i = 0; i < files && have < this.capacity; i++) {
      const { text, size } = await readFrom(join(this.dir, rotatedName(i)), 0);
      if (i === 0) this.offset = size;
      const recs = parseLines(text);
      chunks.unshift(recs);
      have += recs.length;
    }
    const all = chunks.flat();
    this.ring = all.length > this.capacity ? all.slice(all.length - this.capacity) : all;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const size = await fileSize(join(this.dir, CURRENT));
      if (size === this.offset) return;
      let text = '';
      if (size < this.offset) {
        // Rotated: the rest of what was `current` is now `1.jsonl`.
        text = (await readFrom(join(this.dir, rotatedName(1)), this.offset)).text;
        this.offset = 0;
      }
      const fresh = await readFrom(join(this.dir, CURRENT), this.offset);
      // Up to the last complete line; a half-written one is read next time.
      const whole = fresh.text.lastIndexOf('\n') + 1;
      this.offset += Buffer.byteLength(fresh.text.slice(0, whole));
      text += fresh.text.slice(0, whole);
      const batch = parseLines(text);
      if (batch.length === 0) return;
      this.ring.push(...batch);
      if (this.ring.length > this.capacity * 1.5)
        this.ring = this.ring.slice(this.ring.length - this.capacity);
      for (const l of this.listeners) l(batch);
    } catch {
      // The store's directory may not exist yet (nothing logged so far): try again next time.
    } finally {
      this.polling = false;
    }
  }
}

function parseLines(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o['ts'] !== 'string' || typeof o['service'] !== 'string' || typeof o['line'] !== 'string')
        continue;
      out.push(
        withIds({
          ts: o['ts'],
          service: o['service'],
          replica: typeof o['replica'] === 'number' ? o['replica'] : 1,
          stream: o['stream'] === 'stderr' ? 'stderr' : 'stdout',
          line: o['line'],
        }),
      );
    } catch {
      // A torn line (a crash mid-write) is skipped, as the store's own reader does.
    }
  }
  return out;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The file's bytes from `from` to its end, as text; empty when it does not exist. */
async function readFrom(path: string, from: number): Promise<{ text: string; size: number }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return { text: '', size: 0 };
  }
  try {
    const size = (await fh.stat()).size;
    if (size <= from) return { text: '', size };
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    return { text: buf.toString('utf8'), size };
  } finally {
    await fh.close();
  }
}
