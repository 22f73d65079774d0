import type { LogRecord, SourcedRecord } from './types.js';

/**
 * The few file operations the log store needs, on names inside one directory (the project's
 * `.orch/logs/<project>/`). The node:fs implementation is `adapters/log-store-fs.ts`.
 */
export interface LogStorePort {
  /** Bytes in the file; 0 when it does not exist. */
  size(name: string): Promise<number>;
  append(name: string, data: string): Promise<void>;
  read(name: string): Promise<string | undefined>;
  /** Replaces the file's content as one step (readers see the old or the new file, never half). */
  write(name: string, data: string): Promise<void>;
  /** Replaces `to` if it exists; nothing when `from` does not exist. */
  rename(from: string, to: string): Promise<void>;
  /** Nothing when it does not exist. */
  remove(name: string): Promise<void>;
}

export interface StoreLimits {
  /** Total bytes across all files. */
  readonly maxBytes: number;
  /** `current.jsonl` plus `files - 1` rotated ones. */
  readonly files: number;
}

export const defaultStoreLimits: StoreLimits = { maxBytes: 50 * 1024 * 1024, files: 5 };

export const CURRENT = 'current.jsonl';
export const MARKS = 'marks.json';
const MAX_MARKS = 2000;

export function rotatedName(i: number): string {
  return i === 0 ? CURRENT : `${i}.jsonl`;
}

/** One stored record as a JSON line; ids are not stored (they are recomputed from the line). */
export function serializeRecord(r: LogRecord): string {
  return `{"ts":${JSON.stringify(r.ts)},"service":${JSON.stringify(r.service)},"replica":${r.replica},"stream":"${r.stream}","line":${JSON.stringify(r.line)}}`;
}

function parseRecord(text: string): LogRecord | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const { ts, service, replica, stream, line } = o;
    if (typeof ts !== 'string' || typeof service !== 'string' || typeof line !== 'string') return undefined;
    return {
      ts,
      service,
      replica: typeof replica === 'number' ? replica : 1,
      stream: stream === 'stderr' ? 'stderr' : 'stdout',
      line,
    };
  } catch {
    return undefined;
  }
}

/**
 * A bounded, rotated JSON-lines store of log records. Files fill up to `maxBytes / files` each;
 * then `current` becomes `1`, `1` becomes `2`, … and the oldest is dropped, so the total stays
 * within `maxBytes`.
 *
 * Deduplication rule: `marks.json` keeps, per container id, the ts of the last line stored from
 * it. `append` skips lines stamped at or before their container's mark, so reading the same
 * container's log again (`orch logs` run twice, or alongside `orch up`'s recorder) stores each line
 * once. Lines with the exact same nanosecond ts as the mark are taken to be the same line.
 */
export class LogStore {
  private marks: Map<string, string> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly port: LogStorePort,
    private readonly limits: StoreLimits = defaultStoreLimits,
  ) {}

  private get perFile(): number {
    return Math.max(1024, Math.floor(this.limits.maxBytes / Math.max(1, this.limits.files)));
  }

  /**
   * Appends the records not stored yet (see the rule above); resolves when written. `sorted`:
   * each batch holds one container's lines in ts order, so what is already stored is skipped
   * with a binary search rather than line by line (a re-read of a long log stores nothing).
   */
  append(
    batches: readonly (readonly SourcedRecord[])[],
    opts: { readonly sorted?: boolean } = {},
  ): Promise<void> {
    const run = this.chain.then(() => this.appendNow(batches, opts.sorted === true));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async appendNow(batches: readonly (readonly SourcedRecord[])[], sorted: boolean): Promise<void> {
    const marks = await this.loadMarks();
    const chunks: string[] = [];
    let pending: string[] = [];
    let pendingBytes = 0;
    let changed = false;
    // Runs of lines come from one container: its mark is looked up once per run.
    let id: string | undefined;
    let mark: string | undefined;
    for (const batch of batches) {
      const first = batch[0];
      const stored = sorted && first ? marks.get(first.containerId) : undefined;
      const start = stored === undefined ? 0 : firstAfter(batch, stored);
      for (let i = start; i < batch.length; i++) {
        const r = batch[i] as SourcedRecord;
        if (r.containerId !== id) {
          id = r.containerId;
          mark = marks.get(id);
        }
        if (mark !== undefined && r.ts <= mark) continue;
        mark = r.ts;
        marks.set(id, mark);
        changed = true;
        const text = serializeRecord(r);
        pending.push(text);
        // Characters, not bytes: a cheap bound; exact bytes are counted per chunk below.
        pendingBytes += text.length + 1;
        if (pendingBytes >= 1 << 20) {
          chunks.push(`${pending.join('\n')}\n`);
          pending = [];
          pendingBytes = 0;
        }
      }
    }
    if (pending.length > 0) chunks.push(`${pending.join('\n')}\n`);
    for (const chunk of chunks) await this.writeChunk(chunk);
    if (changed) await this.saveMarks(marks);
  }

  private async writeChunk(chunk: string): Promise<void> {
    // Asked each time (one stat per chunk): another orch process may append to the same store.
    let size = await this.port.size(CURRENT);
    const bytes = Buffer.byteLength(chunk);
    if (size > 0 && size + bytes > this.perFile) {
      await this.rotate();
      size = 0;
    }
    if (bytes > this.perFile) {
      // A chunk larger than a whole file: keep only its newest lines that fit.
      const fitted = newestThatFit(chunk, this.perFile);
      await this.port.append(CURRENT, fitted);
      return;
    }
    await this.port.append(CURRENT, chunk);
  }

  private async rotate(): Promise<void> {
    const n = Math.max(1, this.limits.files);
    await this.port.remove(rotatedName(n - 1));
    for (let i = n - 2; i >= 0; i--) await this.port.rename(rotatedName(i), rotatedName(i + 1));
  }

  private async loadMarks(): Promise<Map<string, string>> {
    if (this.marks) return this.marks;
    const text = await this.port.read(MARKS);
    const m = new Map<string, string>();
    if (text !== undefined) {
      try {
        for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>))
          if (typeof v === 'string') m.set(k, v);
      } catch {
        // A damaged marks file only costs duplicates, which --trace removes on read.
      }
    }
    this.marks = m;
    return m;
  }

  private async saveMarks(marks: Map<string, string>): Promise<void> {
    let entries = [...marks.entries()];
    if (entries.length > MAX_MARKS) {
      entries = entries.sort((a, b) => (a[1] < b[1] ? 1 : -1)).slice(0, MAX_MARKS);
      this.marks = new Map(entries);
    }
    await this.port.write(MARKS, JSON.stringify(Object.fromEntries(entries)));
  }

  /** Raw stored lines, oldest file first. */
  private async *rawLines(): AsyncGenerator<string> {
    await this.chain;
    for (let i = Math.max(1, this.limits.files) - 1; i >= 0; i--) {
      const text = await this.port.read(rotatedName(i));
      if (text === undefined || text === '') continue;
      for (const line of text.split('\n')) if (line !== '') yield line;
    }
  }

  /** Every stored record, oldest first. */
  async readAll(): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    for await (const line of this.rawLines()) {
      const r = parseRecord(line);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * Stored records whose text contains `needle` (JSON-escaped), parsed: the cheap first pass for
   * `--trace`; the caller decides whether the id is really a request or trace id.
   */
  async readContaining(needle: string): Promise<LogRecord[]> {
    const escaped = JSON.stringify(needle).slice(1, -1);
    const out: LogRecord[] = [];
    for await (const line of this.rawLines()) {
      if (!line.includes(escaped)) continue;
      const r = parseRecord(line);
      if (r) out.push(r);
    }
    return out;
  }
}

/** Index of the first record stamped after `ts` in a list in ts order (its length if none is). */
export function firstAfter(list: readonly LogRecord[], ts: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as LogRecord).ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function newestThatFit(chunk: string, limit: number): string {
  const lines = chunk.split('\n').filter((l) => l !== '');
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] as string;
    const b = Buffer.byteLength(l) + 1;
    if (bytes + b > limit) break;
    kept.push(l);
    bytes += b;
  }
  return kept.length === 0 ? '' : `${kept.reverse().join('\n')}\n`;
}
