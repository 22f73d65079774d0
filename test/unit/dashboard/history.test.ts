import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFeed } from '../../../src/adapters/dashboard/index.js';
import type { LogRecord } from '../../../src/core/logs/types.js';

function line(ts: string, service: string, text: string): string {
  return `${JSON.stringify({ ts: `2026-01-01T00:00:${ts}.000000000Z`, service, replica: 1, stream: 'stdout', line: text })}\n`;
}

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LogFeed over the log store', () => {
  it('starts from the stored lines, follows appends and a rotation, and finds a request across services', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-feed-'));
    writeFileSync(join(dir, '1.jsonl'), line('01', 'api', 'old one'));
    writeFileSync(
      join(dir, 'current.jsonl'),
      line('02', 'api', 'got request_id=r-7') + line('03', 'db', 'query request_id=r-7'),
    );
    const feed = new LogFeed(dir, { pollMs: 20, capacity: 100 });
    await feed.start();
    try {
      expect(feed.recent({ limit: 10 }).map((r) => r.line)).toEqual([
        'old one',
        'got request_id=r-7',
        'query request_id=r-7',
      ]);
      expect(feed.recent({ limit: 10, services: ['db'] }).map((r) => r.service)).toEqual(['db']);
      expect(feed.recent({ limit: 1 }).map((r) => r.line)).toEqual(['query request_id=r-7']);

      const seen: LogRecord[] = [];
      feed.subscribe((b) => seen.push(...b));
      appendFileSync(join(dir, 'current.jsonl'), line('04', 'api', 'live'));
      await until(() => seen.length === 1);
      // A half-written line waits for its end.
      appendFileSync(join(dir, 'current.jsonl'), line('05', 'api', 'torn').slice(0, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((r) => r.line)).toEqual(['live']);
      appendFileSync(join(dir, 'current.jsonl'), line('05', 'api', 'torn').slice(20));
      await until(() => seen.length === 2);
      // Rotation: what was current becomes 1.jsonl, with one more line appended before it moved.
      appendFileSync(join(dir, 'current.jsonl'), line('06', 'api', 'last before rotation'));
      renameSync(join(dir, 'current.jsonl'), join(dir, '1.jsonl'));
      writeFileSync(
        join(dir, 'current.jsonl'),
        line('07', 'gateway', 'GET / 200 request_id=r-7 trace_id=t-9'),
      );
      await until(() => seen.length === 4);
      expect(seen.map((r) => r.line).slice(2)).toEqual([
        'last before rotation',
        'GET / 200 request_id=r-7 trace_id=t-9',
      ]);
      appendFileSync(join(dir, 'current.jsonl'), line('08', 'worker', 'span trace_id=t-9'));
      const trace = await feed.trace('r-7');
      expect(trace.map((r) => r.service)).toEqual(['api', 'db', 'gateway', 'worker']);
    } finally {
      feed.close();
    }
  });
});
