import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRestartLedger } from '../../src/adapters/restart-ledger-fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'orch-ledger-'));
  dirs.push(d);
  return d;
}

describe('the restart ledger on disk', () => {
  it('round-trips entries, creating its folder', () => {
    const file = join(tmp(), '.orch', 'shop', 'restarts.json');
    const ledger = new FileRestartLedger(file);
    expect(ledger.load().size).toBe(0);
    ledger.save(
      new Map([
        ['api/1', { id: 'abc', restarts: 2 }],
        ['web/2', { id: 'def', restarts: 5 }],
      ]),
    );
    expect([...new FileRestartLedger(file).load()]).toEqual([
      ['api/1', { id: 'abc', restarts: 2 }],
      ['web/2', { id: 'def', restarts: 5 }],
    ]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      'api/1': { id: 'abc', restarts: 2 },
      'web/2': { id: 'def', restarts: 5 },
    });
  });

  it('ignores a damaged file and malformed entries instead of failing', () => {
    const file = join(tmp(), 'restarts.json');
    writeFileSync(
      file,
      '{"api/1": {"id": "abc", "restarts": 2}, "bad": {"id": 3}, "neg": {"id": "x", "restarts": -1}}',
    );
    expect([...new FileRestartLedger(file).load()]).toEqual([['api/1', { id: 'abc', restarts: 2 }]]);
    writeFileSync(file, '{"api/1": {"id": "ab');
    expect(new FileRestartLedger(file).load().size).toBe(0);
  });
});
