import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLine } from '../../core/ports.js';

export interface ReadLogOptions {
  readonly follow: boolean;
  readonly tail?: number;
  readonly sinceS?: number;
  readonly timestamps: boolean;
  readonly signal?: AbortSignal;
}

/** Lines handed over together: big enough that a long log is not paid per line in async iteration. */
const BATCH = 4096;
/** How often a followed log is checked for growth. */
const FOLLOW_POLL_MS = 100;

/**
 * A replica's log file as the shim writes it (`<ISO time> <o|e> <text>` per line), as batches of
 * lines in order, never empty. `follow` keeps reading as the file grows until `signal` aborts or
 * `running()` says the process has ended (and what it wrote last has been read), as a container's
 * followed log ends when it stops.
 */
export async function* readLog(
  file: string,
  opts: ReadLogOptions,
  running: () => Promise<boolean>,
): AsyncGenerator<LogLine[]> {
  if (opts.signal?.aborted) return;
  const sinceIso = opts.sinceS !== undefined ? new Date(opts.sinceS * 1000).toISOString() : undefined;
  const parse = (text: string): LogLine[] => {
    const out: LogLine[] = [];
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      const line = parseLine(raw, opts.timestamps);
      if (line && (sinceIso === undefined || line.iso >= sinceIso)) out.push(line.log);
    }
    return out;
  };
  // Only whole lines are consumed (the shim writes whole lines, but a read may catch one half
  // written): the offset moves past the last newline, in bytes.
  let offset = 0;
  const take = async (): Promise<LogLine[]> => {
    const buf = await readFrom(file, offset);
    const end = buf.lastIndexOf(0x0a) + 1;
    offset += end;
    return end === 0 ? [] : parse(buf.subarray(0, end).toString('utf8'));
  };
  let lines = await take();
  if (opts.tail !== undefined) lines = opts.tail <= 0 ? [] : lines.slice(-opts.tail);
  for (let i = 0; i < lines.length; i += BATCH) yield lines.slice(i, i + BATCH);
  if (!opts.follow) return;
  for (;;) {
    if (opts.signal?.aborted) return;
    const alive = await running();
    const fresh = await take();
    for (let i = 0; i < fresh.length; i += BATCH) yield fresh.slice(i, i + BATCH);
    // Read once more after it ended: the shim writes its last lines before it goes.
    if (!alive) return;
    try {
      await sleep(FOLLOW_POLL_MS, undefined, opts.signal ? { signal: opts.signal } : {});
    } catch {
      return;
    }
  }
}

function parseLine(raw: string, timestamps: boolean): { iso: string; log: LogLine } | undefined {
  const a = raw.indexOf(' ');
  if (a < 0 || raw.length < a + 2) return undefined;
  const iso = raw.slice(0, a);
  const stream = raw[a + 1] === 'e' ? 'stderr' : 'stdout';
  return { iso, log: { stream, ts: timestamps ? iso : '', line: raw.slice(a + 3) } };
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return Buffer.alloc(0);
  }
  if (size <= offset) return Buffer.alloc(0);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
