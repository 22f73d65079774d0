import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../fakes/index.js';
import { LiveOrderer, mergeSorted } from '../../../src/core/logs/order.js';
import { normalizeTs } from '../../../src/core/logs/types.js';
import type { LogRecord } from '../../../src/core/logs/types.js';

function rec(service: string, ms: number, line = `${service}@${ms}`, nanos = 0): LogRecord {
  const d = new Date(ms).toISOString().slice(0, 19);
  const frac = String(ms % 1000).padStart(3, '0') + String(nanos).padStart(6, '0');
  return { ts: `${d}.${frac}Z`, service, replica: 1, stream: 'stdout', line };
}

describe('normalizeTs', () => {
  it('pads the fraction so string order is time order', () => {
    const a = normalizeTs('2024-01-01T00:00:00.1Z');
    const b = normalizeTs('2024-01-01T00:00:00.12Z');
    expect(a).toBe('2024-01-01T00:00:00.100000000Z');
    expect(a < b).toBe(true);
    expect(normalizeTs('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000000000Z');
    expect(normalizeTs('2024-01-01T02:00:00.5+02:00')).toBe('2024-01-01T00:00:00.500000000Z');
  });
});

describe('mergeSorted', () => {
  it('merges replicas by ts, ties in source order then position', () => {
    const a = [rec('a', 0), rec('a', 100), rec('a', 100, 'a-second'), rec('a', 300)];
    const b = [rec('b', 50), rec('b', 100), rec('b', 250)];
    const out = mergeSorted([a, b]).map((r) => r.line);
    expect(out).toEqual(['a@0', 'b@50', 'a@100', 'a-second', 'b@100', 'b@250', 'a@300']);
  });

  it('sorts a source that is not in order (stable)', () => {
    const a = [rec('a', 200), rec('a', 100, 'x'), rec('a', 100, 'y')];
    expect(mergeSorted([a, []]).map((r) => r.line)).toEqual(['x', 'y', 'a@200']);
  });

  it('handles many sources and large inputs', () => {
    const sources = Array.from({ length: 7 }, (_, s) =>
      Array.from({ length: 1000 }, (_, i) => rec(`s${s}`, i * 7 + s)),
    );
    const out = mergeSorted(sources);
    expect(out).toHaveLength(7000);
    for (let i = 1; i < out.length; i++) expect(out[i - 1]!.ts <= out[i]!.ts).toBe(true);
  });
});

describe('LiveOrderer', () => {
  function setup(windowMs = 100, maxBuffered = 1000) {
    const clock = new FakeClock(1_000_000);
    const out: string[] = [];
    const batches: number[] = [];
    const o = new LiveOrderer<LogRecord>(
      clock,
      (b) => {
        batches.push(clock.now());
        out.push(...b.map((r) => r.line));
      },
      { windowMs, maxBuffered },
    );
    return { clock, out, batches, o };
  }

  it('puts lines arriving out of order within the window back in ts order', async () => {
    const { clock, out, o } = setup();
    o.push(rec('b', 20));
    await clock.advance(30);
    o.push(rec('a', 10));
    o.push(rec('a', 30));
    await clock.advance(10);
    expect(out).toEqual([]);
    await clock.advance(60);
    // b@20 is due: it goes out with a@10 (earlier); a@30 waits for its own window.
    expect(out).toEqual(['a@10', 'b@20']);
    await clock.advance(30);
    expect(out).toEqual(['a@10', 'b@20', 'a@30']);
  });

  it('flushes a line once it is older than the window, not before', async () => {
    const { clock, out, batches, o } = setup(100);
    o.push(rec('a', 1));
    await clock.advance(99);
    expect(out).toEqual([]);
    await clock.advance(1);
    expect(out).toEqual(['a@1']);
    expect(batches).toEqual([1_000_100]);
  });

  it('a line later than the window that is older than what was written goes out at once', async () => {
    const { clock, out, o } = setup();
    o.push(rec('a', 50));
    await clock.advance(200);
    o.push(rec('b', 10));
    expect(out).toEqual(['a@50', 'b@10']);
  });

  it('holds at most maxBuffered lines', async () => {
    const { clock, out, o } = setup(100, 10);
    for (let i = 0; i < 50; i++) {
      o.push(rec('a', 1000 - i));
      expect(o.buffered).toBeLessThanOrEqual(10);
    }
    expect(out.length).toBeGreaterThanOrEqual(40);
    await clock.advance(100);
    expect(out).toHaveLength(50);
  });

  it('close writes everything held, in order', () => {
    const { out, o } = setup();
    o.push(rec('b', 30));
    o.push(rec('a', 10));
    o.close();
    expect(out).toEqual(['a@10', 'b@30']);
    o.push(rec('a', 40));
    expect(out).toHaveLength(2);
  });
});
