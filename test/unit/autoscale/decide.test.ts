import { describe, expect, it } from 'vitest';
import { decide, type DeciderState } from '../../../src/core/autoscale/index.js';
import type { AutoscaleSpec } from '../../../src/model/project.js';

const spec = (over: Partial<AutoscaleSpec> = {}): AutoscaleSpec => ({
  min: 1,
  max: 5,
  target: { metric: 'inflight_per_replica', value: 4 },
  cooldownMs: 10_000,
  pos: { file: 'f', line: 1, col: 1 },
  ...over,
});

/** Feeds one reading a second from `start` and returns the counts after each tick. */
function run(
  s: AutoscaleSpec,
  values: readonly (number | undefined)[],
  start = { current: 1, state: {} as DeciderState, now: 0 },
): { counts: number[]; reasons: string[] } {
  let { current, state } = start;
  const counts: number[] = [];
  const reasons: string[] = [];
  values.forEach((value, i) => {
    // `value` is a total: the per-replica figure changes as the count does, as in a real stack.
    const perReplica =
      value === undefined || s.target.metric !== 'inflight_per_replica' ? value : value / current;
    const step = decide(s, state, { now: start.now + i * 1000, current, value: perReplica });
    state = step.state;
    if (step.decision) {
      current = step.decision.to;
      reasons.push(step.decision.reason);
    }
    counts.push(current);
  });
  return { counts, reasons };
}

describe('autoscale decider', () => {
  it('scales up to ceil(current × value / target) at once when nothing changed recently', () => {
    const step = decide(spec(), {}, { now: 0, current: 1, value: 13 });
    expect(step.decision).toEqual({
      to: 4,
      reason: 'inflight_per_replica 13 vs target 4 (above by more than 10%)',
    });
    expect(step.state).toEqual({ lastChangeAt: 0 });
  });

  it('clamps to max and to min', () => {
    expect(decide(spec(), {}, { now: 0, current: 2, value: 40 }).decision?.to).toBe(5);
    const low = decide(spec({ cooldownMs: 0 }), {}, { now: 0, current: 4, value: 0 });
    expect(low.decision?.to).toBe(1);
    // Already at max (or min): nothing to do, however far off the figure is.
    expect(decide(spec(), {}, { now: 0, current: 5, value: 40 }).decision).toBeUndefined();
    expect(decide(spec(), {}, { now: 0, current: 1, value: 0 }).decision).toBeUndefined();
  });

  it('brings a count outside [min, max] back at once, without a figure', () => {
    expect(decide(spec({ min: 2 }), {}, { now: 0, current: 1, value: undefined }).decision).toEqual({
      to: 2,
      reason: '1 replicas is below min 2',
    });
    expect(decide(spec(), { lastChangeAt: 0 }, { now: 1, current: 9, value: 1 }).decision?.to).toBe(5);
  });

  it('holds without a figure', () => {
    expect(decide(spec(), {}, { now: 0, current: 3, value: undefined })).toEqual({ state: {} });
  });

  it('waits the cooldown after a change before scaling up again', () => {
    // Load 8 for a while, then 16: 1 → 2 at once, then 2 → 4 only 10 s after the first change.
    const { counts } = run(spec(), [8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 16]);
    expect(counts).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 4]);
  });

  it('scales down only after the figure stayed low for the cooldown, to the most the window wanted', () => {
    const start = { current: 4, state: {} as DeciderState, now: 0 };
    // Total in flight: 6 (wants 2) for 5 s, then 0 (wants 1).
    const { counts, reasons } = run(
      spec(),
      [...Array<number>(5).fill(6), ...Array<number>(18).fill(0)],
      start,
    );
    // Low since t=0: at t=10 s the window's most was 2; a new window from t=11 s, so 1 at t=21 s.
    expect(counts.slice(0, 10)).toEqual(Array<number>(10).fill(4));
    expect(counts[10]).toBe(2);
    expect(counts.slice(11, 21)).toEqual(Array<number>(10).fill(2));
    expect(counts[21]).toBe(1);
    expect(reasons[0]).toBe('inflight_per_replica 0 vs target 4 (below by more than 10% for 10s)');
  });

  it('a figure back in range resets the stabilization window', () => {
    const start = { current: 2, state: {} as DeciderState, now: 0 };
    // Low for 9 s, one tick on target, then low again: the 10 s count starts over.
    const values = [...Array<number>(9).fill(0), 8, ...Array<number>(12).fill(0)];
    const { counts } = run(spec(), values, start);
    expect(counts.slice(0, 20)).toEqual(Array<number>(20).fill(2));
    expect(counts[20]).toBe(1);
  });

  it('does not flap around the target (±10% tolerance)', () => {
    // Per-replica figure wobbling 3.7..4.3 around a target of 4 with 3 replicas.
    const wobble = [11.1, 12.9, 11.4, 12.6, 11.7, 12.3, 12.0, 11.2, 12.8];
    const start = { current: 3, state: {} as DeciderState, now: 0 };
    const { counts, reasons } = run(spec({ cooldownMs: 0 }), [...wobble, ...wobble, ...wobble], start);
    expect(new Set(counts)).toEqual(new Set([3]));
    expect(reasons).toEqual([]);
  });

  it('p95_ms and cpu_percent scale on the figure itself', () => {
    const p95 = spec({ target: { metric: 'p95_ms', value: 200 } });
    expect(decide(p95, {}, { now: 0, current: 2, value: 500 }).decision?.to).toBe(5);
    const cpu = spec({ target: { metric: 'cpu_percent', value: 50 } });
    expect(decide(cpu, {}, { now: 0, current: 2, value: 80 }).decision).toEqual({
      to: 4,
      reason: 'cpu_percent 80 vs target 50 (above by more than 10%)',
    });
  });

  it('an exact multiple of the target does not round up', () => {
    expect(decide(spec({ max: 10 }), {}, { now: 0, current: 3, value: 8 }).decision?.to).toBe(6);
    expect(decide(spec({ max: 10 }), {}, { now: 0, current: 3, value: 4 * (7 / 3) }).decision?.to).toBe(7);
  });
});
