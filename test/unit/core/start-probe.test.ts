import { describe, expect, it } from 'vitest';
import { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import { scheduleUp } from '../../../src/core/scheduler.js';
import {
  DEFAULT_START_INTERVAL_MS,
  execOfTest,
  startCheckOf,
  untilFirstPass,
} from '../../../src/core/probes/start.js';
import type { ContainerSnapshot, DockerPort, EngineEvent, ExecResult } from '../../../src/core/ports.js';
import type { Healthcheck, ServiceSpec } from '../../../src/model/project.js';
import { dockerRuntimes, FakeClock } from '../../fakes/index.js';
import type { ReplicaSnapshot } from '../../../src/core/runtime/port.js';
import { project, service } from '../supervisor/helpers.js';
import { containerCreateSpec } from '../../../src/core/engine/container-spec.js';
import { mapHealthcheck } from '../../../src/adapters/docker/map-inspect.js';
import { probeRun, timing } from './probe-helpers.js';

const withHealthcheck = (name: string, hc: Partial<Healthcheck>, deps: string[] = []): ServiceSpec => ({
  ...service(name, {
    dependsOn: Object.fromEntries(deps.map((d) => [d, { condition: 'service_healthy' as const }])),
  }),
  healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], intervalMs: 30_000, disable: false, ...hc },
});

describe('startCheckOf: the Docker health test orch runs itself', () => {
  it('runs CMD as argv and CMD-SHELL through /bin/sh -c; NONE and an empty test give nothing', () => {
    expect(execOfTest(['CMD', 'pg_isready', '-q'])).toEqual(['pg_isready', '-q']);
    expect(execOfTest(['CMD-SHELL', 'curl -f localhost || exit 1'])).toEqual([
      '/bin/sh',
      '-c',
      'curl -f localhost || exit 1',
    ]);
    expect(execOfTest(['NONE'])).toBeUndefined();
    expect(execOfTest([])).toBeUndefined();
  });

  it("takes the file's start_interval and timeout, else orch's default and Docker's 30 s", () => {
    const own = startCheckOf(withHealthcheck('db', { startIntervalMs: 50, timeoutMs: 2000 }));
    expect(own).toEqual({ command: ['test', '-f', '/tmp/ready'], intervalMs: 50, timeoutMs: 2000 });
    const dflt = startCheckOf(withHealthcheck('db', {}));
    expect(dflt).toEqual({
      command: ['test', '-f', '/tmp/ready'],
      intervalMs: DEFAULT_START_INTERVAL_MS,
      timeoutMs: 30_000,
    });
  });

  it("falls back on the container's own (image) healthcheck; a disabled one is never run", () => {
    const image = { test: ['CMD-SHELL', 'redis-cli ping'], startIntervalMs: 100 };
    expect(startCheckOf(service('cache'), image)).toEqual({
      command: ['/bin/sh', '-c', 'redis-cli ping'],
      intervalMs: 100,
      timeoutMs: 30_000,
    });
    expect(startCheckOf(withHealthcheck('cache', { disable: true, test: ['NONE'] }), image)).toBeUndefined();
    expect(startCheckOf(service('plain'))).toBeUndefined();
  });
});

/** An engine in memory: containers start when told, a health test passes once `readyAt` is reached. */
function engine(clock: FakeClock) {
  const queue: EngineEvent[] = [];
  let wake: (() => void) | undefined;
  const snaps = new Map<string, ReplicaSnapshot>();
  const readyAt = new Map<string, number>();
  const execs: { id: string; at: number; cmd: readonly string[] }[] = [];
  const push = (ev: EngineEvent): void => {
    queue.push(ev);
    wake?.();
  };
  const docker = {
    async *events(_filters: string[], signal: AbortSignal) {
      while (!signal.aborted) {
        const ev = queue.shift();
        if (ev) {
          yield ev;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
          signal.addEventListener('abort', () => r(), { once: true });
        });
      }
    },
    inspectContainer: (id: string) => Promise.resolve(snaps.get(id)),
    exec: (id: string, cmd: readonly string[]): Promise<ExecResult> => {
      execs.push({ id, at: clock.now(), cmd });
      const t = readyAt.get(id);
      return Promise.resolve({ exitCode: t !== undefined && clock.now() >= t ? 0 : 1, output: '' });
    },
  } as unknown as DockerPort;
  const snap = (svc: string, state: ContainerSnapshot['state']): ReplicaSnapshot => ({
    id: svc,
    runtime: 'container',
    name: `p-${svc}-1`,
    image: `${svc}:latest`,
    labels: { 'dev.orch.project': 'p', 'dev.orch.service': svc, 'dev.orch.replica': '1' },
    state,
    exitCode: null,
    // Docker's own first check is an interval away: it says `starting` throughout these tests.
    health: state === 'running' ? 'starting' : 'none',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    ports: [],
  });
  return {
    docker,
    execs,
    push,
    /** Starts the container; its health test passes `readyAfterMs` later. */
    start(svc: string, readyAfterMs: number): ReplicaSnapshot {
      const s = snap(svc, 'running');
      snaps.set(svc, s);
      readyAt.set(svc, clock.now() + readyAfterMs);
      push({ type: 'start', id: svc, labels: s.labels, time: clock.now() });
      return s;
    },
    created: (svc: string) => snap(svc, 'created'),
  };
}

function trackerFor(clock: FakeClock, e: ReturnType<typeof engine>, services: Record<string, ServiceSpec>) {
  const tracker = new ReplicaTracker(
    { runtimes: dockerRuntimes(e.docker), clock, startProbe: () => Promise.resolve() },
    { current: { services } },
  );
  tracker.follow('p', new AbortController().signal);
  return tracker;
}

describe('ReplicaTracker: fast start probing of Docker healthchecks', () => {
  it('runs the test at the start interval and is healthy at the first pass, long before Docker checks', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const db = withHealthcheck('db', {});
    const tracker = trackerFor(clock, e, { db });
    tracker.track(e.created('db'));
    tracker.track(e.start('db', 500));
    let healthyAt: number | undefined;
    void tracker.waitFor('db', 'service_healthy', new AbortController().signal).then(() => {
      healthyAt = clock.now();
    });
    await clock.advance(1000);
    // Checks at 0, 200, 400 fail; 600 is the first at or past 500.
    expect(healthyAt).toBe(600);
    const r = tracker.of('db')[0]!;
    expect(r.dockerHealth).toBe('starting');
    expect(tracker.health(r)).toBe('healthy');
    // (The start event that follows the tracked start may restart the loop at 0: one extra check.)
    expect([...new Set(e.execs.map((x) => x.at))]).toEqual([0, 200, 400, 600]);
    const count = e.execs.length;
    expect(e.execs[0]?.cmd).toEqual(['test', '-f', '/tmp/ready']);
    // After the first pass Docker's own interval applies: orch runs the test no more.
    await clock.advance(10_000);
    expect(e.execs).toHaveLength(count);
    tracker.close();
  });

  it("keeps Docker's verdict: unhealthy from Docker wins over orch's early pass", async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const tracker = trackerFor(clock, e, { db: withHealthcheck('db', { startIntervalMs: 100 }) });
    tracker.track(e.created('db'));
    tracker.track(e.start('db', 0));
    await clock.advance(50);
    const r = tracker.of('db')[0]!;
    expect(tracker.health(r)).toBe('healthy');
    e.push({ type: 'health', id: 'db', labels: {}, health: 'unhealthy', time: clock.now() });
    await clock.flush();
    expect(tracker.health(r)).toBe('unhealthy');
    tracker.close();
  });

  it('judges a restarted replica afresh: starting again, probed again until it passes', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const tracker = trackerFor(clock, e, { db: withHealthcheck('db', {}) });
    tracker.track(e.created('db'));
    tracker.track(e.start('db', 0));
    await clock.advance(10);
    const r = tracker.of('db')[0]!;
    expect(tracker.health(r)).toBe('healthy');
    e.push({ type: 'die', id: 'db', labels: {}, exitCode: 1, time: clock.now() });
    e.start('db', 300);
    await clock.flush();
    expect(tracker.health(r)).toBe('starting');
    await clock.advance(1000);
    expect(tracker.health(r)).toBe('healthy');
    expect(r.healthyAt).toBe(410);
    tracker.close();
  });

  it('takes a start check that passed before it tracked the replica (handed over by `up`) as its own', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const tracker = trackerFor(clock, e, { db: withHealthcheck('db', {}) });
    // Running, Docker still says starting, and its test would fail for a while: no exec runs and
    // the replica is healthy at once, as it was for `up`.
    const s = e.start('db', 5_000);
    // Its start event came before the supervisor tracked it (it was `up`'s news).
    await clock.flush();
    const r = tracker.track(s, { startChecked: true });
    expect(tracker.health(r)).toBe('healthy');
    await clock.advance(1000);
    expect(e.execs).toEqual([]);
    // A container started again is a new run: checked afresh.
    e.push({ type: 'die', id: 'db', labels: {}, exitCode: 1, time: clock.now() });
    e.start('db', 300);
    await clock.flush();
    expect(tracker.health(r)).toBe('starting');
    await clock.advance(1000);
    expect(tracker.health(r)).toBe('healthy');
    expect(e.execs.length).toBeGreaterThan(0);
    tracker.close();
  });

  it('runs the start check as usual for a replica tracked without a handed-over pass', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const tracker = trackerFor(clock, e, { db: withHealthcheck('db', {}) });
    const s = e.start('db', 5_000);
    await clock.flush();
    const r = tracker.track(s, { startChecked: false });
    await clock.advance(1000);
    expect(tracker.health(r)).toBe('starting');
    expect(e.execs.length).toBeGreaterThan(0);
    tracker.close();
  });

  it('leaves a service without a Docker healthcheck alone', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    const tracker = trackerFor(clock, e, { web: service('web') });
    tracker.track(e.created('web'));
    tracker.track({ ...e.start('web', 0), health: 'none' });
    await clock.advance(1000);
    expect(e.execs).toEqual([]);
    tracker.close();
  });

  it('a dependent starts within one start interval of its dependency becoming ready, down a chain', async () => {
    const clock = new FakeClock();
    const e = engine(clock);
    // Each service is ready a known time after it starts (as in the bench's chain).
    const readyAfter: Record<string, number> = { s0: 700, s1: 1300, s2: 450, s3: 900 };
    const services = {
      s0: withHealthcheck('s0', {}),
      s1: withHealthcheck('s1', {}, ['s0']),
      s2: withHealthcheck('s2', { startIntervalMs: 50 }, ['s1']),
      s3: withHealthcheck('s3', {}, ['s2']),
    };
    const tracker = trackerFor(clock, e, services);
    const startedAt: Record<string, number> = {};
    const outcome = scheduleUp(
      {
        services: Object.keys(services),
        dependsOn: Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.dependsOn])),
        healthGated: new Set(Object.keys(services)),
      },
      {
        start: (name) => {
          startedAt[name] = clock.now();
          tracker.track(e.created(name));
          tracker.track(e.start(name, readyAfter[name]!));
          return Promise.resolve();
        },
        waitFor: (name, condition, signal) => tracker.waitFor(name, condition, signal),
      },
      { signal: new AbortController().signal, waitReady: true, onEvent: () => undefined },
    );
    await clock.advance(10_000);
    expect((await outcome).ok).toBe(true);
    const interval: Record<string, number> = { s0: 200, s1: 200, s2: 50 };
    for (const [dep, next] of [
      ['s0', 's1'],
      ['s1', 's2'],
      ['s2', 's3'],
    ] as const) {
      const ready = startedAt[dep]! + readyAfter[dep]!;
      expect(startedAt[next]).toBeGreaterThanOrEqual(ready);
      expect(startedAt[next]! - ready).toBeLessThanOrEqual(interval[dep]!);
    }
    tracker.close();
  });
});

describe('runProbe: start interval for x-orch probes', () => {
  const url = 'http://127.0.0.1:43000/health';
  const http = { ...timing, kind: 'http' as const, path: '/health', port: 3000 };

  it('checks every start interval until the first pass, then only at its own interval', async () => {
    const r = probeRun();
    r.net.http(
      url,
      { error: 'ECONNREFUSED' },
      { error: 'ECONNREFUSED' },
      { error: 'ECONNREFUSED' },
      {
        status: 200,
      },
    );
    r.start(http, { startIntervalMs: 200 });
    await r.clock.advance(700);
    // 0: the loop's own early check; 200, 400: start-interval checks; 600 passes.
    expect(r.net.calls.map((c) => c.at)).toEqual([0, 200, 400, 600]);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 600]]);
    await r.clock.advance(2400);
    expect(r.net.calls.map((c) => c.at)).toEqual([0, 200, 400, 600, 1000, 2000, 3000]);
    expect(r.changes).toHaveLength(1);
    await r.stop();
  });

  it('counts no failure of a start-interval check: unhealthy still takes `retries` of its own', async () => {
    const r = probeRun();
    r.net.http(url, { status: 500 });
    r.start({ ...http, retries: 2 }, { startIntervalMs: 100 });
    await r.clock.advance(1999);
    expect(r.changes).toEqual([]);
    await r.clock.advance(1);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['unhealthy', 2000]]);
    await r.stop();
  });
});

describe("the engine's native start interval (API 1.44+)", () => {
  const spec = (hc: Partial<Healthcheck>) =>
    containerCreateSpec({
      project: project(withHealthcheck('db', hc)),
      service: withHealthcheck('db', hc),
      replica: 1,
      image: 'db:latest',
      configHash: 'h',
      files: [],
    }).healthcheck;

  it("is sent with orch's default when the file sets a start period but no start interval", () => {
    expect(spec({ startPeriodMs: 10_000 })?.startIntervalMs).toBe(DEFAULT_START_INTERVAL_MS);
    expect(spec({ startPeriodMs: 10_000, startIntervalMs: 1000 })?.startIntervalMs).toBe(1000);
    // Without a start period the engine would not use it: nothing is sent, orch checks itself.
    expect(spec({})?.startIntervalMs).toBeUndefined();
  });

  it("reads the container's own healthcheck back from the engine, in milliseconds", () => {
    expect(
      mapHealthcheck({
        Test: ['CMD', 'true'],
        Interval: 500_000_000,
        StartInterval: 200_000_000,
        Retries: 3,
      }),
    ).toEqual({ test: ['CMD', 'true'], intervalMs: 500, startIntervalMs: 200, retries: 3 });
    expect(mapHealthcheck({ Test: ['NONE'] })).toBeUndefined();
    expect(mapHealthcheck(null)).toBeUndefined();
  });
});

describe('untilFirstPass', () => {
  it('starts a check every interval, start to start, never two at once', async () => {
    const clock = new FakeClock();
    const began: number[] = [];
    // Each check takes 150 ms and fails until the fourth.
    const check = async (signal: AbortSignal) => {
      began.push(clock.now());
      await clock.sleep(150, signal);
      return { ok: began.length >= 4, detail: '' };
    };
    let passedAt: number | undefined;
    void untilFirstPass(check, clock, 200, new AbortController().signal).then(() => {
      passedAt = clock.now();
    });
    await clock.advance(1000);
    expect(began).toEqual([0, 200, 400, 600]);
    expect(passedAt).toBe(750);
    // A check slower than the interval is followed at once by the next, not overlapped.
    const slow: number[] = [];
    const ctl = new AbortController();
    void untilFirstPass(
      async (signal) => {
        slow.push(clock.now());
        // A real check never rejects: an aborted one is a failed one.
        await clock.sleep(300, signal).catch(() => undefined);
        return { ok: false, detail: '' };
      },
      clock,
      200,
      ctl.signal,
    );
    await clock.advance(1000);
    expect(slow.map((t) => t - 1000)).toEqual([0, 300, 600, 900]);
    ctl.abort();
  });
});
