import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DashboardEvent, DashboardEvents } from './source.js';

/**
 * The stack's events, kept in a JSON-lines file beside the supervisor's state, so the Events page
 * and the graph's timeline still show what happened before `orch up -d` replaced the supervisor.
 * Live events come from `live` (the running stack's event stream); the file holds at most about
 * `2 × capacity` lines and is cut back to the newest `capacity` when it grows past that.
 */
export class EventJournal implements DashboardEvents {
  private kept: DashboardEvent[] = [];
  private off: (() => void) | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lines = 0;

  constructor(
    private readonly file: string,
    private readonly live: DashboardEvents,
    private readonly capacity = 2000,
  ) {}

  async start(): Promise<void> {
    this.kept = await readEvents(this.file);
    this.lines = this.kept.length;
    const earlier = this.live.history();
    this.kept.push(...earlier);
    for (const e of earlier) this.write(e);
    this.trim();
    this.off = this.live.subscribe((e) => {
      this.kept.push(e);
      this.trim();
      this.write(e);
    });
  }

  async close(): Promise<void> {
    this.off?.();
    await this.writing;
  }

  subscribe(listener: (e: DashboardEvent) => void): () => void {
    return this.live.subscribe(listener);
  }

  history(sinceMs?: number): readonly DashboardEvent[] {
    if (sinceMs === undefined) return [...this.kept];
    return this.kept.filter((e) => Date.parse(e.time) >= sinceMs);
  }

  private trim(): void {
    if (this.kept.length > this.capacity) this.kept = this.kept.slice(this.kept.length - this.capacity);
  }

  private write(e: DashboardEvent): void {
    this.lines++;
    const compact = this.lines > 2 * this.capacity;
    if (compact) this.lines = this.kept.length;
    const snapshot = compact ? this.kept.map((x) => JSON.stringify(x)).join('\n') + '\n' : '';
    this.writing = this.writing
      .then(async () => {
        await mkdir(dirname(this.file), { recursive: true });
        if (compact) await writeFile(this.file, snapshot);
        else await appendFile(this.file, `${JSON.stringify(e)}\n`);
      })
      .catch(() => undefined); // history is a convenience: a full disk must not disturb the stack
  }
}

async function readEvents(file: string): Promise<DashboardEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: DashboardEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const o = JSON.parse(line) as Partial<DashboardEvent>;
      if (typeof o.time === 'string' && typeof o.type === 'string') out.push(o as DashboardEvent);
    } catch {
      // a torn last line after a crash
    }
  }
  return out;
}
