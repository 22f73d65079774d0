import { describe, expect, it } from 'vitest';
import {
  Backoff,
  backoffSpec,
  CrashLoopDetector,
  JITTER,
  nominalDelay,
} from '../../../src/core/supervisor/index.js';
import { seeded, service } from './helpers.js';

const DEFAULT = { initialMs: 250, maxMs: 30_000 };
const NOMINAL = [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];

describe('backoff', () => {
  it('doubles from 250ms and caps at 30s', () => {
    const b = new Backoff(DEFAULT, () => 0);
    expect(NOMINAL.map(() => b.next())).toEqual(NOMINAL);
    expect(nominalDelay(DEFAULT, 1000)).toBe(30_000);
  });

  it('jitters each delay down by at most 20%, repeatably for a given seed', () => {
    const run = (seed: number) => {
      const b = new Backoff(DEFAULT, seeded(seed));
      return NOMINAL.map(() => b.next());
    };
    const delays = run(42);
    delays.forEach((d, i) => {
      const n = NOMINAL[i] ?? 0;
      expect(d).toBeLessThanOrEqual(n);
      expect(d).toBeGreaterThanOrEqual(Math.floor(n * (1 - JITTER)));
    });
    expect(delays).not.toEqual(NOMINAL);
    expect(run(42)).toEqual(delays);
    expect(run(7)).not.toEqual(delays);
  });

  it('starts over after reset', () => {
    const b = new Backoff(DEFAULT, () => 0);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(250);
  });

  it('takes x-orch.backoff, and deploy delay as the base', () => {
    expect(backoffSpec(service('a', { backoff: { initialMs: 100, maxMs: 800 } }))).toEqual({
      initialMs: 100,
      maxMs: 800,
    });
    expect(backoffSpec(service('a', { deploy: { condition: 'any', delayMs: 2000 } }))).toEqual({
      initialMs: 2000,
      maxMs: 30_000,
    });
    // A deploy delay above the cap is honoured: the cap rises to it.
    expect(backoffSpec(service('a', { deploy: { condition: 'any', delayMs: 60_000 } }))).toEqual({
      initialMs: 60_000,
      maxMs: 60_000,
    });
  });
});

describe('crash-loop detector', () => {
  it('enters on the 5th failure inside 60s, once', () => {
    const c = new CrashLoopDetector();
    expect([0, 1_000, 2_000, 3_000].map((t) => c.record(t))).toEqual([false, false, false, false]);
    expect(c.record(59_000)).toBe(true);
    expect(c.inCrashLoop).toBe(true);
    expect(c.record(60_000)).toBe(false);
    expect(c.inCrashLoop).toBe(true);
  });

  it('does not enter for 5 failures spread over 2 minutes', () => {
    const c = new CrashLoopDetector();
    for (const t of [0, 30_000, 60_000, 90_000, 120_000]) expect(c.record(t)).toBe(false);
    expect(c.inCrashLoop).toBe(false);
  });

  it('stays in the loop through sparse failures until it recovers', () => {
    const c = new CrashLoopDetector();
    for (const t of [0, 1, 2, 3, 4]) c.record(t);
    c.record(200_000);
    expect(c.inCrashLoop).toBe(true);
    expect(c.recover()).toBe(true);
    expect(c.inCrashLoop).toBe(false);
    // Its history went with it: one more failure is not a loop.
    expect(c.record(200_001)).toBe(false);
    expect(c.recover()).toBe(false);
  });
});
