import { afterEach, describe, expect, it } from 'vitest';
import { Autoscaler, LoadWindow } from '../../../src/core/autoscale/index.js';
import { EventBus } from '../../../src/core/events/bus.js';
import { LatencyHistogram } from '../../../src/core/gateway/index.js';
import { LiveProject } from '../../../src/core/live-project.js';
import type { AutoscaleSpec, Project, ServiceSpec } from '../../../src/model/project.js';
import type { AutoscaleDecision, OrchEvent } from '../../../src/model/events.js';
import { FakeClock } from '../../fakes/index.js';

const pos = { file: 'f', line: 1, col: 1 };

function project(autoscale: Omit<AutoscaleSpec, 'pos'>, replicas = 1): Project {
  const api = { name: 'api', replicas, orch: { autoscale: { ...autoscale, pos } } } as unknown as ServiceSpec;
  const db = { name: 'db', replicas: 1, orch: {} } as unknown as ServiceSpec;
  return { name: 'p', services: { api, db } } as unknown as Project;
}

/** A scaler that does what `orch scale` does to the project: the count is the project's. */
function stack(autoscale: Omit<AutoscaleSpec, 'pos'>, replicas = 1) {
  const clock = new FakeClock(1_000_000);
  const live = new LiveProject(project(autoscale, replicas));
  const events = new EventBus(clock);
  const seen: OrchEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const calls: [string, number][] = [];
  let failNext = false;
  const scaler = {
    scale(service: string, count: number): Promise<void> {
      calls.push([service, count]);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('no room'));
      }
      const p = live.current;
      const s = p.services[service] as ServiceSpec;
      live.set({ ...p, services: { ...p.services, [service]: { ...s, replicas: count } } });
      return Promise.resolve();
    },
  };
  let inFlight = 0;
  const latency = new LatencyHistogram();
  let cpu: number | undefined;
  let routed = true;
  const scaler$ = new Autoscaler({
    live,
    scaler,
    clock,
    events,
    figures: {
      load: (service) =>
        routed && service === 'api' ? { inFlight, latency: latency.copyCounts() } : undefined,
      cpuPercent: () => cpu,
    },
    intervalMs: 1000,
    windowMs: 5000,
  });
  const ctl = new AbortController();
  const done = scaler$.run(ctl.signal);
  return {
    clock,
    calls,
    latency,
    count: () => live.current.services['api']?.replicas,
    autoscale: () => seen.filter((e): e is OrchEvent & AutoscaleDecision => e.type === 'autoscale'),
    set: (o: { inFlight?: number; cpu?: number; routed?: boolean }) => {
      if (o.inFlight !== undefined) inFlight = o.inFlight;
      if ('cpu' in o) cpu = o.cpu;
      if (o.routed !== undefined) routed = o.routed;
    },
    failNext: () => void (failNext = true),
    /** A live edit that deletes api from the project, and one that adds it back as the file has it. */
    removeApi: () => {
      const { api: _gone, ...rest } = live.current.services;
      live.set({ ...live.current, services: rest });
    },
    restoreApi: () => {
      const back = project(autoscale, replicas).services['api'] as ServiceSpec;
      live.set({ ...live.current, services: { ...live.current.services, api: back } });
    },
    stop: async () => {
      ctl.abort();
      await done;
    },
  };
}

let current: ReturnType<typeof stack> | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('Autoscaler on the virtual clock', () => {
  it('scales up under in-flight load and back to min once it stayed low for the cooldown', async () => {
    const s = (current = stack({
      min: 1,
      max: 3,
      target: { metric: 'inflight_per_replica', value: 2 },
      cooldownMs: 4000,
    }));
    s.set({ inFlight: 12 });
    await s.clock.advance(1000);
    // 12 in flight over 1 replica, target 2 each: ceil(1 × 6) = 6, clamped to 3.
    expect(s.count()).toBe(3);
    expect(s.autoscale()).toEqual([
      expect.objectContaining({
        type: 'autoscale',
        service: 'api',
        from: 1,
        to: 3,
        metric: 'inflight_per_replica',
        value: 12,
        target: 2,
        reason: 'inflight_per_replica 12 vs target 2 (above by more than 10%)',
      }),
    ]);
    await s.clock.advance(20_000);
    expect(s.count()).toBe(3);
    s.set({ inFlight: 0 });
    // The 5 s window's mean falls below 2 × 3 × 0.9 only after a few samples, then 4 s of quiet.
    await s.clock.advance(5000);
    expect(s.count()).toBe(3);
    await s.clock.advance(20_000);
    expect(s.count()).toBe(1);
    const events = s.autoscale();
    // Samples at 12 s in flight leave the 5 s window one by one: the first low tick's window still
    // wants 2 (mean 2.4 → ceil(3 × 0.4)), so the way down is 3 → 2 → 1, a cooldown apart.
    expect(events.map((e) => [e.time.slice(14, 19), e.from, e.to])).toEqual([
      ['16:41', 1, 3],
      ['17:09', 3, 2],
      ['17:14', 2, 1],
    ]);
    expect(events.at(-1)?.reason).toMatch(/below by more than 10% for 4s/);
    // One change per cooldown at most, however the figures move.
    expect(s.calls.length).toBe(events.length);
  });

  it('scales on the window p95 of requests finished within it, not since the start', async () => {
    const s = (current = stack({
      min: 1,
      max: 4,
      target: { metric: 'p95_ms', value: 100 },
      cooldownMs: 3000,
    }));
    // A slow past, long before the window: 1000 requests at 900 ms.
    for (let i = 0; i < 1000; i++) s.latency.record(900);
    await s.clock.advance(1000);
    await s.clock.advance(1000);
    for (let i = 0; i < 50; i++) s.latency.record(20);
    await s.clock.advance(6000);
    // Only the fast requests are in the window since: p95 20 ms, nothing to scale up.
    expect(s.calls).toEqual([]);
    for (let i = 0; i < 100; i++) s.latency.record(400);
    await s.clock.advance(1000);
    // 400 ms vs 100 ms: ceil(1 × 4) = 4.
    expect(s.count()).toBe(4);
    expect(s.autoscale()[0]).toMatchObject({ metric: 'p95_ms', from: 1, to: 4 });
  });

  it('cpu_percent averages the engine figure over the window; without one it holds and says so once', async () => {
    const s = (current = stack(
      { min: 1, max: 4, target: { metric: 'cpu_percent', value: 50 }, cooldownMs: 1000 },
      2,
    ));
    // Engine stats need two readings for a CPU figure: a few seconds without one is not news.
    await s.clock.advance(5000);
    expect(s.autoscale()).toEqual([]);
    await s.clock.advance(5000);
    expect(s.calls).toEqual([]);
    expect(s.autoscale()).toEqual([
      expect.objectContaining({
        from: 2,
        to: 2,
        value: null,
        reason: 'holding at 2: the engine has no CPU figures for it (yet)',
      }),
    ]);
    await s.clock.advance(10_000);
    expect(s.autoscale().length).toBe(1);
    // One spike among steady 40% readings: the 5 s mean stays within 10% of 50.
    s.set({ cpu: 40 });
    await s.clock.advance(5000);
    s.set({ cpu: 90 });
    await s.clock.advance(1000);
    s.set({ cpu: 40 });
    await s.clock.advance(3000);
    expect(s.calls).toEqual([]);
    s.set({ cpu: 90 });
    await s.clock.advance(5000);
    // The mean climbs as 90% readings fill the window: 2 → 3 as it passes 55, then (a cooldown
    // later) on to 4 = ceil(3 × 90 / 50) clamped to max.
    expect(s.calls).toEqual([
      ['api', 3],
      ['api', 4],
    ]);
    expect(s.autoscale().at(-1)).toMatchObject({ metric: 'cpu_percent', from: 3, to: 4, target: 50 });
  });

  it('a scale that fails is reported with the error, and retried only after the cooldown', async () => {
    const s = (current = stack({
      min: 1,
      max: 2,
      target: { metric: 'inflight_per_replica', value: 1 },
      cooldownMs: 3000,
    }));
    s.set({ inFlight: 5 });
    s.failNext();
    await s.clock.advance(1000);
    expect(s.count()).toBe(1);
    expect(s.autoscale().map((e) => [e.from, e.to, e.reason])).toEqual([
      [1, 2, 'inflight_per_replica 5 vs target 1 (above by more than 10%)'],
      [1, 1, 'scaling to 2 failed: no room'],
    ]);
    await s.clock.advance(2000);
    expect(s.calls.length).toBe(1);
    await s.clock.advance(1000);
    expect(s.count()).toBe(2);
  });

  it('a service without a route holds at its count and says so once', async () => {
    const s = (current = stack({
      min: 1,
      max: 3,
      target: { metric: 'inflight_per_replica', value: 1 },
      cooldownMs: 0,
    }));
    s.set({ routed: false, inFlight: 10 });
    await s.clock.advance(4000);
    expect(s.autoscale()).toEqual([]);
    await s.clock.advance(10_000);
    expect(s.calls).toEqual([]);
    expect(s.autoscale().map((e) => e.reason)).toEqual([
      'holding at 1: no gateway route reaches it (is the gateway off?)',
    ]);
  });

  it('a service removed by a live edit and added back starts afresh (no cooldown carried over)', async () => {
    const s = (current = stack({
      min: 1,
      max: 3,
      target: { metric: 'inflight_per_replica', value: 4 },
      cooldownMs: 60_000,
    }));
    s.set({ inFlight: 8 });
    await s.clock.advance(1000);
    expect(s.calls).toEqual([['api', 2]]);
    s.removeApi();
    await s.clock.advance(1000);
    s.restoreApi();
    s.set({ inFlight: 12 });
    await s.clock.advance(1000);
    // Within the first decision's 60 s cooldown: only a forgotten state lets the new api scale now.
    expect(s.calls).toEqual([
      ['api', 2],
      ['api', 3],
    ]);
  });

  it('brings a count outside [min, max] back into it, without waiting for figures', async () => {
    const s = (current = stack(
      { min: 2, max: 3, target: { metric: 'inflight_per_replica', value: 4 }, cooldownMs: 60_000 },
      5,
    ));
    await s.clock.advance(1000);
    expect(s.count()).toBe(3);
    expect(s.autoscale()[0]?.reason).toBe('5 replicas is above max 3');
  });
});

describe('LoadWindow', () => {
  it('averages in-flight samples over the window and drops older ones', () => {
    const w = new LoadWindow(3000);
    const h = new LatencyHistogram();
    for (const [at, n] of [
      [0, 10],
      [1000, 10],
      [2000, 0],
      [3000, 0],
      [4000, 0],
    ] as const)
      w.add(at, { inFlight: n, latency: h.copyCounts() });
    // 1000..4000: 10, 0, 0, 0.
    expect(w.inFlight()).toBe(2.5);
  });

  it('starts again when the gateway rebuilt its routes (counts went down)', () => {
    const w = new LoadWindow(10_000);
    const old = new LatencyHistogram();
    for (let i = 0; i < 100; i++) old.record(500);
    w.add(0, { inFlight: 0, latency: old.copyCounts() });
    const fresh = new LatencyHistogram();
    fresh.record(10);
    w.add(1000, { inFlight: 0, latency: fresh.copyCounts() });
    expect(w.p95()).toBeUndefined();
    fresh.record(12);
    w.add(2000, { inFlight: 0, latency: fresh.copyCounts() });
    expect(w.p95()).toBeCloseTo(12, 0);
  });
});
