import { describe, expect, it } from 'vitest';
import { initialProbeState, nextProbeState, ProbeHistory } from '../../../src/core/probes/index.js';

const rules = { retries: 3, startPeriodMs: 1000, since: 0 };

describe('nextProbeState', () => {
  it('success from any state is healthy with the streak reset', () => {
    expect(nextProbeState(initialProbeState, true, 0, rules)).toEqual({
      status: 'healthy',
      failingStreak: 0,
    });
    expect(nextProbeState({ status: 'unhealthy', failingStreak: 7 }, true, 5000, rules)).toEqual({
      status: 'healthy',
      failingStreak: 0,
    });
  });

  it('a failure inside the start period does not count while starting', () => {
    expect(nextProbeState(initialProbeState, false, 999, rules)).toBe(initialProbeState);
    expect(nextProbeState(initialProbeState, false, 1000, rules)).toEqual({
      status: 'starting',
      failingStreak: 1,
    });
  });

  it('a failure inside the start period counts once it has been healthy', () => {
    expect(nextProbeState({ status: 'healthy', failingStreak: 0 }, false, 10, rules)).toEqual({
      status: 'healthy',
      failingStreak: 1,
    });
  });

  it('the retries-th counted failure makes it unhealthy', () => {
    const s = { status: 'healthy' as const, failingStreak: 2 };
    expect(nextProbeState(s, false, 5000, rules)).toEqual({ status: 'unhealthy', failingStreak: 3 });
  });

  it('retries below 1 behaves as 1', () => {
    expect(
      nextProbeState(initialProbeState, false, 0, { retries: 0, startPeriodMs: 0, since: 0 }).status,
    ).toBe('unhealthy');
  });
});

describe('ProbeHistory', () => {
  it('is a ring of the last results with the latest status', () => {
    const h = new ProbeHistory(2);
    expect(h.last()).toBeUndefined();
    expect(h.status).toBe('starting');
    h.record({ ok: false, detail: 'a', at: 1 }, 'starting');
    h.record({ ok: false, detail: 'b', at: 2 }, 'starting');
    h.record({ ok: true, detail: 'c', at: 3 }, 'healthy');
    expect(h.recent().map((r) => r.detail)).toEqual(['b', 'c']);
    expect(h.last()?.detail).toBe('c');
    expect(h.status).toBe('healthy');
  });

  it('rejects a capacity below 1', () => {
    expect(() => new ProbeHistory(0)).toThrow(RangeError);
  });
});
