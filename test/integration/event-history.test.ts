import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEventHistory } from '../../src/adapters/event-history-fs.js';

describe('readEventHistory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back the event lines of a supervisor log, oldest first, without the log’s own keys', async () => {
    const file = join(dir, 'supervisor.log');
    writeFileSync(
      file,
      [
        '{"ts":"2026-01-02T03:04:05.000Z","kind":"ready","project":"p","pid":1,"gateway":null}',
        '{"ts":"2026-01-02T03:04:06.000Z","kind":"event","time":"2026-01-02T03:04:06.000Z","type":"died","service":"api","replica":1,"exitCode":137}',
        'some narration that is not JSON',
        '{"ts":"x","kind":"event","time":"2026-01-02T03:04:07.000Z","type":"restarting","service":"api","replica":1,"afterMs":250,"reason":"exited with code 137"}',
        '{"torn line',
        '',
      ].join('\n'),
    );
    expect(await readEventHistory(file)).toEqual([
      { time: '2026-01-02T03:04:06.000Z', type: 'died', service: 'api', replica: 1, exitCode: 137 },
      {
        time: '2026-01-02T03:04:07.000Z',
        type: 'restarting',
        service: 'api',
        replica: 1,
        afterMs: 250,
        reason: 'exited with code 137',
      },
    ]);
  });

  it('reads only the end of a big log, dropping the line it starts in, and no file is no history', async () => {
    const file = join(dir, 'big.log');
    const line = (i: number): string =>
      JSON.stringify({
        ts: 't',
        kind: 'event',
        time: new Date(i * 1000).toISOString(),
        type: 'healthy',
        service: 's',
        replica: i,
      });
    const lines = Array.from({ length: 12_000 }, (_, i) => line(i + 1));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const events = await readEventHistory(file);
    expect(events.length).toBeGreaterThan(1000);
    expect(events.length).toBeLessThan(12_000);
    expect(events.at(-1)).toMatchObject({ replica: 12_000 });
    expect(events.every((e) => e.type === 'healthy')).toBe(true);
    expect(await readEventHistory(join(dir, 'missing.log'))).toEqual([]);
  });
});
