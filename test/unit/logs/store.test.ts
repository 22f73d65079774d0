import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstAfter, LogStore, type LogStorePort } from '../../../src/core/logs/store.js';
import { createRecorder } from '../../../src/core/logs/recorder.js';
import { fsLogStore } from '../../../src/adapters/log-store-fs.js';
import type { SourcedRecord } from '../../../src/core/logs/types.js';
import { FakeClock } from '../../fakes/index.js';

/** In-memory LogStorePort, counting appends. */
class MemStore implements LogStorePort {
  readonly files = new Map<string, string>();
  appends = 0;
  size(name: string) {
    return Promise.resolve(Buffer.byteLength(this.files.get(name) ?? ''));
  }
  append(name: string, data: string) {
    this.appends++;
    this.files.set(name, (this.files.get(name) ?? '') + data);
    return Promise.resolve();
  }
  read(name: string) {
    return Promise.resolve(this.files.get(name));
  }
  write(name: string, data: string) {
    this.files.set(name, data);
    return Promise.resolve();
  }
  rename(from: string, to: string) {
    const v = this.files.get(from);
    if (v !== undefined) {
      this.files.set(to, v);
      this.files.delete(from);
    }
    return Promise.resolve();
  }
  remove(name: string) {
    this.files.delete(name);
    return Promise.resolve();
  }
  total(): number {
    let n = 0;
    for (const [k, v] of this.files) if (k.endsWith('.jsonl')) n += Buffer.byteLength(v);
    return n;
  }
}

function rec(containerId: string, i: number, line = `line ${i}`): SourcedRecord {
  return {
    ts: `2024-01-01T00:00:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}000000Z`,
    service: containerId.startsWith('b') ? 'b' : 'a',
    replica: 1,
    stream: 'stdout',
    line,
    containerId,
  };
}

describe('LogStore (in memory)', () => {
  it('reads back what was appended, oldest first, without ids stored', async () => {
    const mem = new MemStore();
    const store = new LogStore(mem);
    await store.append([[rec('a1', 1), rec('a1', 2, 'request_id=abc')], [rec('b1', 3)]]);
    const all = await store.readAll();
    expect(all.map((r) => r.line)).toEqual(['line 1', 'request_id=abc', 'line 3']);
    expect(all[1]).toEqual({
      ts: rec('a1', 2).ts,
      service: 'a',
      replica: 1,
      stream: 'stdout',
      line: 'request_id=abc',
    });
    expect((await store.readContaining('abc')).map((r) => r.line)).toEqual(['request_id=abc']);
  });

  it('stores a container’s lines once (high-water mark per container id)', async () => {
    const mem = new MemStore();
    const store = new LogStore(mem);
    await store.append([[rec('a1', 1), rec('a1', 2)]]);
    await store.append([[rec('a1', 1), rec('a1', 2), rec('a1', 3)], [rec('b1', 1)]]);
    expect((await store.readAll()).map((r) => `${r.service}:${r.line}`)).toEqual([
      'a:line 1',
      'a:line 2',
      'a:line 3',
      'b:line 1',
    ]);
    // A new LogStore on the same files remembers the marks.
    await new LogStore(mem).append([[rec('a1', 3), rec('a1', 4)]]);
    expect((await store.readAll()).map((r) => r.line).slice(-2)).toEqual(['line 1', 'line 4']);
  });

  it('skips what is stored already by binary search when batches are one container in ts order', async () => {
    const mem = new MemStore();
    const store = new LogStore(mem);
    const a = Array.from({ length: 1000 }, (_, i) => rec('a1', i));
    const b = Array.from({ length: 10 }, (_, i) => rec('b1', i));
    await store.append([a.slice(0, 600), b.slice(0, 3)], { sorted: true });
    await store.append([a, b], { sorted: true });
    const all = await store.readAll();
    expect(all.filter((r) => r.service === 'a').map((r) => r.line)).toEqual(a.map((r) => r.line));
    expect(all.filter((r) => r.service === 'b').map((r) => r.line)).toEqual(b.map((r) => r.line));
    const appends = mem.appends;
    await store.append([a, b], { sorted: true });
    expect(mem.appends).toBe(appends); // nothing new: nothing written
  });

  it('firstAfter finds the first record stamped after a ts', () => {
    const list = [1, 2, 2, 2, 5, 9].map((n) => rec('a1', n));
    const at = (n: number) => rec('a1', n).ts;
    expect(firstAfter(list, at(0))).toBe(0);
    expect(firstAfter(list, at(2))).toBe(4);
    expect(firstAfter(list, at(3))).toBe(4);
    expect(firstAfter(list, at(9))).toBe(6);
    expect(firstAfter([], at(1))).toBe(0);
  });

  it('rotates and keeps the total under the cap, dropping the oldest', async () => {
    const mem = new MemStore();
    const limits = { maxBytes: 40_000, files: 4 };
    const store = new LogStore(mem, limits);
    for (let b = 0; b < 50; b++)
      await store.append([
        Array.from({ length: 20 }, (_, i) => rec('a1', b * 20 + i, `x${b * 20 + i} ${'.'.repeat(40)}`)),
      ]);
    expect(mem.total()).toBeLessThanOrEqual(limits.maxBytes);
    expect([...mem.files.keys()].filter((k) => k.endsWith('.jsonl')).sort()).toEqual([
      '1.jsonl',
      '2.jsonl',
      '3.jsonl',
      'current.jsonl',
    ]);
    const all = await store.readAll();
    // The newest line is kept, the oldest are gone, and what is left is contiguous and in order.
    expect(all[all.length - 1]?.line.startsWith('x999 ')).toBe(true);
    expect(all[0]?.line.startsWith('x0 ')).toBe(false);
    const nums = all.map((r) => Number(r.line.slice(1, r.line.indexOf(' '))));
    nums.forEach((n, i) => i > 0 && expect(n).toBe((nums[i - 1] ?? 0) + 1));
  });

  it('a batch larger than a file keeps its newest lines', async () => {
    const mem = new MemStore();
    const store = new LogStore(mem, { maxBytes: 4096, files: 2 });
    await store.append([Array.from({ length: 200 }, (_, i) => rec('a1', i))]);
    expect(mem.total()).toBeLessThanOrEqual(4096);
    const all = await store.readAll();
    expect(all[all.length - 1]?.line).toBe('line 199');
  });
});

describe('recorder', () => {
  it('batches records on the clock, not one write per line', async () => {
    const clock = new FakeClock();
    const mem = new MemStore();
    const rec1 = createRecorder(new LogStore(mem), clock, { flushMs: 500, maxBatch: 1000 });
    for (let i = 0; i < 300; i++) rec1.add(rec('a1', i));
    await clock.advance(499);
    expect(mem.appends).toBe(0);
    await clock.advance(1);
    await clock.flush();
    expect(mem.appends).toBe(1);
    for (let i = 300; i < 2500; i++) rec1.add(rec('a1', i));
    await rec1.close();
    expect(mem.appends).toBeLessThanOrEqual(4);
    expect(await new LogStore(mem).readAll()).toHaveLength(2500);
  });
});

describe('fs log store adapter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-logstore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, rotates under the cap and reads back from disk', async () => {
    const storeDir = join(dir, '.orch', 'logs', 'p');
    const store = new LogStore(fsLogStore(storeDir), { maxBytes: 64 * 1024, files: 3 });
    for (let b = 0; b < 40; b++)
      await store.append([
        Array.from({ length: 50 }, (_, i) => rec('a1', b * 50 + i, `n${b * 50 + i} request_id=r${b}`)),
      ]);
    const files = readdirSync(storeDir).sort();
    expect(files).toEqual(['1.jsonl', '2.jsonl', 'current.jsonl', 'marks.json']);
    const total = files
      .filter((f) => f.endsWith('.jsonl'))
      .reduce((n, f) => n + statSync(join(storeDir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(64 * 1024);
    const again = new LogStore(fsLogStore(storeDir), { maxBytes: 64 * 1024, files: 3 });
    const all = await again.readAll();
    expect(all[all.length - 1]?.line).toBe('n1999 request_id=r39');
    expect((await again.readContaining('r39')).length).toBeGreaterThanOrEqual(50);
    await again.append([[rec('a1', 1999), rec('a1', 2000, 'new')]]);
    expect((await again.readAll()).slice(-2).map((r) => r.line)).toEqual(['n1999 request_id=r39', 'new']);
  });

  it('reads nothing from a store that was never written', async () => {
    expect(await new LogStore(fsLogStore(join(dir, 'none'))).readAll()).toEqual([]);
  });
});
