import { describe, expect, it } from 'vitest';
import type { Dependency, DependencyCondition } from '../../../src/model/project.js';
import { scheduleUp, type SchedulerEvent, type UpOutcome, type UpPlan } from '../../../src/core/scheduler.js';
import { FakeClock, FakeServiceRuntime, type FakeServiceScript } from '../../fakes/index.js';

type DepSpec = DependencyCondition | Partial<Dependency>;

function plan(
  graph: Record<string, Record<string, DepSpec>>,
  healthGated: readonly string[] = [],
  extra: Partial<Pick<UpPlan, 'jobs' | 'services'>> = {},
): UpPlan {
  const dependsOn: Record<string, Record<string, Dependency>> = {};
  for (const [service, deps] of Object.entries(graph)) {
    dependsOn[service] = {};
    for (const [on, d] of Object.entries(deps)) {
      const given = typeof d === 'string' ? { condition: d } : d;
      dependsOn[service][on] = { condition: 'service_started', restart: false, required: true, ...given };
    }
  }
  return {
    services: extra.services ?? Object.keys(graph),
    dependsOn,
    healthGated: new Set(healthGated),
    ...(extra.jobs ? { jobs: extra.jobs } : {}),
  };
}

interface Run {
  clock: FakeClock;
  runtime: FakeServiceRuntime;
  events: SchedulerEvent[];
  outcome: UpOutcome;
}

async function run(p: UpPlan, scripts: Record<string, FakeServiceScript>, waitReady = false): Promise<Run> {
  const clock = new FakeClock();
  const runtime = new FakeServiceRuntime(clock, scripts);
  const events: SchedulerEvent[] = [];
  let outcome: UpOutcome | undefined;
  let error: unknown;
  scheduleUp(p, runtime, {
    signal: new AbortController().signal,
    waitReady,
    onEvent: (e) => events.push(e),
  }).then(
    (o) => (outcome = o),
    (e: unknown) => (error = e),
  );
  await clock.runUntilIdle();
  if (error !== undefined) throw error;
  if (!outcome) throw new Error('scheduleUp still pending although the virtual clock is idle');
  return { clock, runtime, events, outcome };
}

const healthy = 'service_healthy' as const;
const completed = 'service_completed_successfully' as const;

describe('scheduleUp', () => {
  it('starts independents in parallel, all at t=0', async () => {
    const { runtime, outcome } = await run(plan({ a: {}, b: {}, c: {}, d: {} }), {
      a: { startDelayMs: 500 },
      b: { startDelayMs: 20 },
      c: { startDelayMs: 3000 },
    });
    expect(runtime.startCalls.map((c) => c.at)).toEqual([0, 0, 0, 0]);
    expect(runtime.startCalls.map((c) => c.service).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(outcome.ok).toBe(true);
    expect(outcome.services.c).toEqual({ state: 'started' });
  });

  it('diamond: b and c start together the instant a is healthy, d once both are', async () => {
    const { runtime, events, outcome } = await run(
      plan({ a: {}, b: { a: healthy }, c: { a: healthy }, d: { b: healthy, c: healthy } }, [
        'a',
        'b',
        'c',
        'd',
      ]),
      {
        a: { startDelayMs: 10, healthyAfterMs: 100 }, // healthy at 110
        b: { startDelayMs: 5, healthyAfterMs: 50 }, // healthy at 165
        c: { startDelayMs: 5, healthyAfterMs: 80 }, // healthy at 195
        d: { startDelayMs: 5, healthyAfterMs: 1 },
      },
    );
    expect(runtime.startCallAt('a')).toBe(0);
    expect(runtime.startCallAt('b')).toBe(110);
    expect(runtime.startCallAt('c')).toBe(110);
    expect(runtime.startCallAt('d')).toBe(195);
    expect(events).toContainEqual({ type: 'waiting', service: 'd', on: ['b', 'c'] });
    // One shared wait for "a healthy", although two services wait on it.
    expect(runtime.waitCalls.filter((w) => w.service === 'a')).toHaveLength(1);
    expect(outcome.ok).toBe(true);
  });

  it('chain of 4 with health gates: each starts exactly when the previous one turns healthy', async () => {
    const scripts: Record<string, FakeServiceScript> = {
      s1: { startDelayMs: 7, healthyAfterMs: 120 },
      s2: { startDelayMs: 3, healthyAfterMs: 45 },
      s3: { startDelayMs: 11, healthyAfterMs: 900 },
      s4: { startDelayMs: 2, healthyAfterMs: 5 },
    };
    const { runtime } = await run(
      plan({ s1: {}, s2: { s1: healthy }, s3: { s2: healthy }, s4: { s3: healthy } }, [
        's1',
        's2',
        's3',
        's4',
      ]),
      scripts,
    );
    let expected = 0;
    for (const s of ['s1', 's2', 's3', 's4']) {
      expect(runtime.startCallAt(s)).toBe(expected);
      const script = scripts[s] ?? {};
      expected += (script.startDelayMs ?? 0) + (script.healthyAfterMs ?? 0);
    }
    expect(runtime.startCallAt('s4')).toBe(127 + 48 + 911);
  });

  it('service_started dependency: the dependent starts when start() resolves, not later', async () => {
    const { runtime } = await run(plan({ db: {}, api: { db: 'service_started' } }, ['db']), {
      db: { startDelayMs: 40, healthyAfterMs: 1000 },
    });
    expect(runtime.startCallAt('api')).toBe(40);
  });

  it('a failing required dependency skips its dependents (transitively) and leaves others alone', async () => {
    const { runtime, events, outcome } = await run(
      plan(
        {
          db: {},
          api: { db: healthy },
          web: { api: 'service_started' },
          cache: {},
          worker: { cache: 'service_started' },
        },
        ['db'],
      ),
      { db: { startDelayMs: 5, unhealthyAfterMs: 30 }, cache: { startDelayMs: 8 } },
    );
    expect(runtime.startCalls.map((c) => c.service).sort()).toEqual(['cache', 'db', 'worker']);
    expect(runtime.startCallAt('worker')).toBe(8);
    expect(outcome.ok).toBe(false);
    expect(outcome.services.db).toEqual({ state: 'failed', reason: 'became unhealthy' });
    expect(outcome.services.api).toEqual({ state: 'skipped', because: 'db failed: became unhealthy' });
    expect(outcome.services.web).toEqual({ state: 'skipped', because: 'api was skipped' });
    expect(outcome.services.worker).toEqual({ state: 'started' });
    expect(events).toContainEqual({ type: 'failed', service: 'db', reason: 'became unhealthy' });
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
  });

  it('a dependency whose start fails skips its dependents', async () => {
    const { runtime, outcome } = await run(plan({ db: {}, api: { db: 'service_started' } }), {
      db: { startDelayMs: 5, startError: 'image not found' },
    });
    expect(runtime.startCallAt('api')).toBeUndefined();
    expect(outcome.services.db).toEqual({ state: 'failed', reason: 'image not found' });
    expect(outcome.services.api).toEqual({ state: 'skipped', because: 'db failed: image not found' });
  });

  it('skips a dependent as soon as one required dependency fails, without waiting for the others', async () => {
    const { events, clock } = await run(
      plan({ slow: {}, bad: {}, app: { slow: healthy, bad: healthy } }, ['slow', 'bad']),
      {
        slow: { healthyAfterMs: 5000 },
        bad: { unhealthyAfterMs: 10 },
      },
    );
    expect(events.find((e) => e.type === 'skipped')).toEqual({
      type: 'skipped',
      service: 'app',
      because: 'bad failed: became unhealthy',
    });
    expect(clock.now()).toBe(5000); // the outcome still waits for slow's verdict
  });

  it('job dependency: the dependent starts the instant the job exits 0', async () => {
    const { runtime, outcome } = await run(plan({ migrate: {}, api: { migrate: completed } }), {
      migrate: { startDelayMs: 15, exitAfterMs: 40, exitCode: 0 },
    });
    expect(runtime.startCallAt('api')).toBe(55);
    expect(outcome.ok).toBe(true);
  });

  it('job dependency exiting 1: the job fails naming the exit code and its dependent is skipped', async () => {
    const { runtime, outcome, events } = await run(plan({ migrate: {}, api: { migrate: completed } }), {
      migrate: { exitAfterMs: 40, exitCode: 1 },
    });
    expect(runtime.startCallAt('api')).toBeUndefined();
    expect(outcome.ok).toBe(false);
    expect(outcome.services.migrate).toEqual({ state: 'failed', reason: 'exited with code 1' });
    expect(outcome.services.api).toEqual({ state: 'skipped', because: 'migrate failed: exited with code 1' });
    expect(events).toContainEqual({
      type: 'skipped',
      service: 'api',
      because: 'migrate failed: exited with code 1',
    });
  });

  it('required: false — a failing dependency only warns and the dependent starts anyway', async () => {
    const { runtime, events, outcome } = await run(
      plan({ metrics: {}, db: {}, api: { metrics: { condition: healthy, required: false }, db: healthy } }, [
        'metrics',
        'db',
      ]),
      { metrics: { unhealthyAfterMs: 20 }, db: { healthyAfterMs: 50 } },
    );
    expect(events).toContainEqual({
      type: 'warning',
      service: 'api',
      message: 'optional dependency metrics failed: became unhealthy; starting anyway',
    });
    expect(runtime.startCallAt('api')).toBe(50);
    expect(outcome.services.api).toEqual({ state: 'started' });
    expect(outcome.services.metrics).toEqual({ state: 'failed', reason: 'became unhealthy' });
  });

  it('waitReady: health-gated → healthy, jobs → completed, the rest → running', async () => {
    const { outcome, events } = await run(
      plan(
        { db: {}, migrate: { db: healthy }, api: { migrate: completed }, web: { api: 'service_started' } },
        ['db'],
      ),
      { db: { healthyAfterMs: 30 }, migrate: { exitAfterMs: 10 } },
      true,
    );
    expect(outcome).toEqual({
      ok: true,
      services: {
        db: { state: 'ready', condition: 'healthy' },
        migrate: { state: 'ready', condition: 'completed' },
        api: { state: 'ready', condition: 'running' },
        web: { state: 'ready', condition: 'running' },
      },
    });
    expect(events.filter((e) => e.type === 'ready').map((e) => e.service)).toEqual([
      'db',
      'migrate',
      'api',
      'web',
    ]);
  });

  it('waitReady: a service that never becomes healthy fails the outcome', async () => {
    const { outcome } = await run(
      plan({ api: {} }, ['api']),
      { api: { exitAfterMs: 100, exitCode: 137 } },
      true,
    );
    expect(outcome).toEqual({
      ok: false,
      services: { api: { state: 'failed', reason: 'exited with code 137 before it became healthy' } },
    });
  });

  it('waitReady: a health source the runtime learns while starting (from the image) is waited for', async () => {
    const p = plan({ cache: {} });
    const gated = new Set<string>();
    const clock = new FakeClock();
    const inner = new FakeServiceRuntime(clock, { cache: { startDelayMs: 20, healthyAfterMs: 300 } });
    const runtime = {
      start: async (service: string, signal: AbortSignal) => {
        await inner.start(service, signal);
        gated.add(service); // as up does once it has inspected the image
      },
      waitFor: inner.waitFor.bind(inner),
    };
    let outcome: UpOutcome | undefined;
    void scheduleUp({ ...p, healthGated: gated }, runtime, {
      signal: new AbortController().signal,
      waitReady: true,
      onEvent: () => {},
    }).then((o) => (outcome = o));
    await clock.runUntilIdle();
    expect(outcome?.services.cache).toEqual({ state: 'ready', condition: 'healthy' });
    expect(inner.waitCalls).toEqual([{ service: 'cache', condition: healthy, at: 20 }]);
    expect(clock.now()).toBe(320);
  });

  it('plan.jobs marks a one-shot service whose readiness is its successful exit', async () => {
    const { outcome } = await run(
      plan({ seed: {} }, [], { jobs: new Set(['seed']) }),
      { seed: { exitAfterMs: 5 } },
      true,
    );
    expect(outcome.services.seed).toEqual({ state: 'ready', condition: 'completed' });
  });

  it('without waitReady, nothing is waited for that no dependent needs', async () => {
    const { runtime, outcome } = await run(plan({ db: {}, api: {} }, ['db']), { db: { healthyAfterMs: 99 } });
    expect(runtime.waitCalls).toEqual([]);
    expect(outcome.services.db).toEqual({ state: 'started' });
  });

  it('ignores dependencies outside the plan and never starts them', async () => {
    const { runtime, outcome } = await run(plan({ api: { db: healthy } }, [], { services: ['api'] }), {});
    expect(runtime.startCalls).toEqual([{ service: 'api', at: 0 }]);
    expect(outcome.ok).toBe(true);
  });

  it('rejects a cycle before starting anything', async () => {
    const clock = new FakeClock();
    const runtime = new FakeServiceRuntime(clock);
    const p = scheduleUp(plan({ a: { b: 'service_started' }, b: { a: 'service_started' } }), runtime, {
      signal: new AbortController().signal,
      waitReady: false,
      onEvent: () => {},
    });
    await expect(p).rejects.toThrow(/cycle/);
    expect(runtime.startCalls).toEqual([]);
  });

  it('abort mid-way: rejects with AbortError, no further start() calls', async () => {
    const clock = new FakeClock();
    const runtime = new FakeServiceRuntime(clock, {
      a: { startDelayMs: 10, healthyAfterMs: 100 },
      b: { healthyAfterMs: 5 },
    });
    const ctl = new AbortController();
    const events: SchedulerEvent[] = [];
    const p = scheduleUp(plan({ a: {}, b: { a: healthy }, c: { b: healthy } }, ['a', 'b']), runtime, {
      signal: ctl.signal,
      waitReady: true,
      onEvent: (e) => events.push(e),
    });
    const settled = p.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await clock.advance(50);
    ctl.abort();
    const result = await settled;
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).name).toBe('AbortError');
    await clock.runUntilIdle();
    expect(runtime.startCalls).toEqual([{ service: 'a', at: 0 }]);
    expect(clock.pendingTimers).toBe(0);
    expect(events.some((e) => e.type === 'failed' || e.type === 'skipped')).toBe(false);
  });

  it('abort while a start is in flight: the in-flight call sees the signal, nothing else starts', async () => {
    const clock = new FakeClock();
    const runtime = new FakeServiceRuntime(clock, { a: { startDelayMs: 100 } });
    const ctl = new AbortController();
    const p = scheduleUp(plan({ a: {}, b: { a: 'service_started' } }), runtime, {
      signal: ctl.signal,
      waitReady: false,
      onEvent: () => {},
    });
    await clock.advance(30);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await clock.runUntilIdle();
    expect(runtime.startCalls.map((c) => c.service)).toEqual(['a']);
  });

  it('an already-aborted signal rejects without starting anything', async () => {
    const clock = new FakeClock();
    const runtime = new FakeServiceRuntime(clock);
    const ctl = new AbortController();
    ctl.abort();
    await expect(
      scheduleUp(plan({ a: {} }), runtime, { signal: ctl.signal, waitReady: false, onEvent: () => {} }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(runtime.startCalls).toEqual([]);
  });
});
