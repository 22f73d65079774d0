import { describe, expect, it } from 'vitest';
import { Debouncer } from '../../../src/core/watch/index.js';
import { FakeClock } from '../../fakes/index.js';

function setup(timing = { quietMs: 200, maxWaitMs: 2000 }, flushMs = 0) {
  const clock = new FakeClock(0);
  const ctl = new AbortController();
  const flushes: { key: string; items: number[]; at: number }[] = [];
  const d = new Debouncer<string, number>(
    clock,
    timing,
    async (key, items) => {
      flushes.push({ key, items, at: clock.now() });
      if (flushMs > 0) await clock.sleep(flushMs);
    },
    ctl.signal,
  );
  return { clock, ctl, flushes, d };
}

describe('Debouncer', () => {
  it('turns a burst of saves into one flush, a quiet period after the last', async () => {
    const { clock, flushes, d } = setup();
    d.add('a', 1);
    await clock.advance(100);
    d.add('a', 2);
    await clock.advance(150);
    d.add('a', 3);
    await clock.advance(199);
    expect(flushes).toEqual([]);
    await clock.advance(1);
    expect(flushes).toEqual([{ key: 'a', items: [1, 2, 3], at: 450 }]);
  });

  it('flushes by maxWait when changes never settle', async () => {
    const { clock, flushes, d } = setup({ quietMs: 200, maxWaitMs: 500 });
    for (let t = 0; t < 800; t += 100) {
      d.add('a', t);
      await clock.advance(100);
    }
    expect(flushes[0]).toEqual({ key: 'a', items: [0, 100, 200, 300, 400], at: 500 });
  });

  it('keeps keys apart', async () => {
    const { clock, flushes, d } = setup();
    d.add('a', 1);
    d.add('b', 2);
    await clock.advance(200);
    expect(flushes.map((f) => f.key).sort()).toEqual(['a', 'b']);
  });

  it('never overlaps flushes of one key: changes during a flush wait for the next', async () => {
    const { clock, flushes, d } = setup({ quietMs: 200, maxWaitMs: 2000 }, 1000);
    d.add('a', 1);
    await clock.advance(300); // flush 1 running until 1200
    d.add('a', 2);
    d.add('a', 3);
    await clock.advance(600);
    expect(flushes).toHaveLength(1);
    await clock.advance(400); // flush 1 ends at 1200, and the second burst is long quiet
    expect(flushes[1]).toEqual({ key: 'a', items: [2, 3], at: 1200 });
  });

  it('does nothing after abort', async () => {
    const { clock, ctl, flushes, d } = setup();
    d.add('a', 1);
    ctl.abort();
    d.add('a', 2);
    await clock.advance(1000);
    expect(flushes).toEqual([]);
  });
});
