import { open } from 'node:fs/promises';
import type { OrchEvent } from '../model/events.js';

/** How much of the end of the supervisor's log is read back (its event lines are ~150 bytes). */
const TAIL_BYTES = 1024 * 1024;

/**
 * The events an earlier background supervisor wrote to its log (`{"ts", "kind": "event", ...}`
 * lines), oldest first, so a replacement supervisor (`orch up -d` again) can replay them. Only
 * the file's last megabyte is read; a missing file or a torn line is no history, not an error.
 */
export async function readEventHistory(logFile: string): Promise<OrchEvent[]> {
  let text: string;
  try {
    const fh = await open(logFile, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      text = buf.toString('utf8');
      // A read that starts mid-file starts mid-line: drop the partial first line.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await fh.close();
    }
  } catch {
    return [];
  }
  const events: OrchEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (obj['kind'] !== 'event' || typeof obj['time'] !== 'string' || typeof obj['type'] !== 'string')
      continue;
    const { ts: _ts, kind: _kind, ...event } = obj;
    events.push(event as OrchEvent);
  }
  return events;
}
