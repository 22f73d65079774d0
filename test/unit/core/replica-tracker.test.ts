import { describe, expect, it } from 'vitest';
import { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import type { ContainerSnapshot, DockerPort, EngineEvent } from '../../../src/core/ports.js';
import type { Project, ServiceSpec } from '../../../src/model/project.js';
import { LiveProject } from '../../../src/core/live-project.js';
import { dockerRuntimes, FakeClock } from '../../fakes/index.js';
import type { ReplicaSnapshot } from '../../../src/core/runtime/port.js';
import { service } from '../supervisor/helpers.js';
import { OrchError } from '../../../src/errors/index.js';

const snap = (state: ContainerSnapshot['state']): ReplicaSnapshot => ({
  id: 'c1',
  runtime: 'container',
  name: 'p-web-1',
  image: 'web:latest',
  labels: { 'dev.orch.project': 'p', 'dev.orch.service': 'web', 'dev.orch.replica': '1' },
  state,
  exitCode: null,
  health: 'none',
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  ports: [],
});

/** An engine whose events are pushed by the test and whose inspect answers when told to. */
function engine() {
  const queue: EngineEvent[] = [];
  let wake: (() => void) | undefined;
  const inspects: ((s: ContainerSnapshot) => void)[] = [];
  let refusal: Error | undefined;
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
    inspectContainer: () =>
      refusal === undefined
        ? new Promise<ContainerSnapshot>((r) => inspects.push(r))
        : Promise.reject(refusal),
  } as unknown as DockerPort;
  return {
    docker,
    inspects,
    /** From now on every inspect fails with `e`. */
    refuse(e: Error) {
      refusal = e;
    },
    push(ev: EngineEvent) {
      queue.push(ev);
      wake?.();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const e = engine();
  const probes: string[] = [];
  const web: ServiceSpec = service('web', { health: true });
  const tracker = new ReplicaTracker(
    {
      runtimes: dockerRuntimes(e.docker),
      clock: new FakeClock(),
      startProbe: (_spec, r, signal) => {
        probes.push(r.id);
        return new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));
      },
    },
    { current: { services: { web } } },
  );
  tracker.follow('p', new AbortController().signal);
  tracker.track(snap('created'));
  return { e, tracker, probes };
}

describe('ReplicaTracker and its probes', () => {
  it('starts the probe once the started container has been inspected', async () => {
    const { e, tracker, probes } = setup();
    e.push({ type: 'start', id: 'c1', labels: {}, time: 0 });
    await tick();
    expect(e.inspects).toHaveLength(1);
    e.inspects[0]!(snap('running'));
    await tick();
    expect(probes).toEqual(['c1']);
    tracker.close();
  });

  it('starts no probe from an inspect answered after close(), so nothing keeps the process alive', async () => {
    const { e, tracker, probes } = setup();
    e.push({ type: 'start', id: 'c1', labels: {}, time: 0 });
    await tick();
    expect(e.inspects).toHaveLength(1);
    tracker.close();
    e.inspects[0]!(snap('running'));
    await tick();
    expect(probes).toEqual([]);
  });
});

describe('ReplicaTracker conditions on a service with deploy.replicas: 0', () => {
  function trackerWith(
    services: Record<string, ServiceSpec>,
    live = new LiveProject({ services } as Project),
  ) {
    const e = engine();
    return new ReplicaTracker(
      { runtimes: dockerRuntimes(e.docker), clock: new FakeClock(), startProbe: () => Promise.resolve() },
      live,
    );
  }
  const never = new AbortController().signal;

  it('meets every depends_on condition at once, with no replica to wait for', async () => {
    const tracker = trackerWith({ off: service('off', { replicas: 0, health: true }) });
    for (const c of ['service_started', 'service_healthy', 'service_completed_successfully'] as const)
      await expect(tracker.waitFor('off', c, never)).resolves.toBeUndefined();
    tracker.close();
  });

  it('keeps waiting for a service with replicas that have not been created yet', async () => {
    const tracker = trackerWith({ on: service('on', { replicas: 1 }) });
    const ctl = new AbortController();
    const wait = tracker.waitFor('on', 'service_started', ctl.signal);
    let settled = false;
    void wait.then(
      () => (settled = true),
      () => (settled = true),
    );
    await tick();
    expect(settled).toBe(false);
    ctl.abort(new Error('test over'));
    await expect(wait).rejects.toThrow('test over');
    tracker.close();
  });

  it('is met after a live edit scales the service to 0 (the live project changes)', async () => {
    const live = new LiveProject({
      services: { web: service('web', { replicas: 1 }) },
    } as unknown as Project);
    const tracker = trackerWith({}, live);
    const ctl = new AbortController();
    const wait = tracker.waitFor('web', 'service_healthy', ctl.signal);
    live.set({ services: { web: service('web', { replicas: 0 }) } } as unknown as Project);
    await expect(wait).resolves.toBeUndefined();
    tracker.close();
  });
});

describe('ReplicaTracker when the engine goes away', () => {
  /** An engine whose event stream the test breaks (a restart), and whose list answers what the test says. */
  function restartingEngine() {
    let subscriptions = 0;
    let breakStream: (() => void) | undefined;
    let listed: ReplicaSnapshot[] = [];
    const docker = {
      // A stream that yields nothing and then breaks, as the engine's does when it restarts.
      async *events(_filters: string[], signal: AbortSignal): AsyncGenerator<EngineEvent> {
        subscriptions++;
        await new Promise<void>((r) => {
          breakStream = r;
          signal.addEventListener('abort', () => r(), { once: true });
        });
        if (!signal.aborted) throw new Error('socket hang up');
        yield* [];
      },
      listContainers: () => Promise.resolve(listed),
      inspectContainer: () => new Promise<ContainerSnapshot>(() => undefined),
    } as unknown as DockerPort;
    return {
      docker,
      subscriptions: () => subscriptions,
      restart: (after: ReplicaSnapshot[]) => {
        listed = after;
        breakStream?.();
      },
    };
  }

  /** A tracker following that engine, with every change it reports as `service-replica kind`. */
  function following() {
    const e = restartingEngine();
    const clock = new FakeClock();
    const tracker = new ReplicaTracker(
      { runtimes: dockerRuntimes(e.docker), clock, startProbe: () => Promise.resolve() },
      { current: { services: { web: service('web') } } },
    );
    const changes: string[] = [];
    tracker.onChange((r, c) => changes.push(`${r.service}-${r.replica} ${c.kind}`));
    const stop = new AbortController();
    tracker.follow('p', stop.signal);
    return { e, clock, tracker, changes, stop };
  }

  it('reconnects with backoff and reports what died meanwhile, so the supervisor can restart it', async () => {
    const { e, clock, tracker, changes, stop } = following();
    tracker.track({ ...snap('running'), startedAt: '2026-01-01T00:00:01Z' });
    await tick();
    expect(e.subscriptions()).toBe(1);

    e.restart([{ ...snap('exited'), exitCode: 255 }]);
    await tick();
    // Nothing is re-read before the new stream subscribed (250 ms) and had time to (500 ms more).
    await clock.advance(249);
    expect(e.subscriptions()).toBe(1);
    await clock.advance(1);
    expect(e.subscriptions()).toBe(2);
    expect(changes).toEqual([]);
    await clock.advance(500);
    await tick();
    expect(changes).toEqual(['web-1 exited']);
    expect(tracker.all()[0]).toMatchObject({ state: 'exited', exitCode: 255 });

    // A replica that is still as it was is no news on the next break; the delay doubles meanwhile.
    e.restart([{ ...snap('exited'), exitCode: 255 }]);
    await tick();
    await clock.advance(499);
    expect(e.subscriptions()).toBe(2);
    await clock.advance(1);
    expect(e.subscriptions()).toBe(3);
    await clock.advance(500);
    await tick();
    expect(changes).toEqual(['web-1 exited']);
    stop.abort();
    tracker.close();
  });

  it('reports the healthy of a replica orch restarted before the new stream subscribed', async () => {
    const { e, clock, tracker, changes, stop } = following();
    // Healthy by orch's start check while Docker still said `starting` (as `up` hands it over).
    tracker.track({ ...snap('running'), health: 'starting' }, { startChecked: true });
    expect(tracker.health(tracker.all()[0]!)).toBe('healthy');
    await tick();
    e.restart([{ ...snap('exited'), exitCode: 137, health: 'starting' }]);
    await tick();
    await clock.advance(750);
    await tick();
    expect(changes).toEqual(['web-1 exited']);
    // The supervisor starts it again and tracks the inspect; the engine's `start` event is missed.
    tracker.track({ ...snap('running'), health: 'starting' });
    expect(tracker.health(tracker.all()[0]!)).toBe('starting');
    // The next re-read finds Docker's verdict: that is news, not an old pass carried over.
    e.restart([{ ...snap('running'), health: 'healthy' }]);
    await tick();
    await clock.advance(1_000);
    await tick();
    expect(changes).toEqual(['web-1 exited', 'web-1 health']);
    expect(tracker.health(tracker.all()[0]!)).toBe('healthy');
    stop.abort();
    tracker.close();
  });

  it('tells onStart of every start however it learnt of it, where the supervisor hears only of the event', async () => {
    const { e, clock, tracker, changes, stop } = following();
    const starts: string[] = [];
    tracker.onStart((r) => starts.push(`${r.service}-${r.replica}`));
    tracker.track(snap('running'));
    expect(starts).toEqual(['web-1']);
    await tick();
    e.restart([{ ...snap('exited'), exitCode: 137 }]);
    await tick();
    await clock.advance(750);
    await tick();
    expect(changes).toEqual(['web-1 exited']);
    // Orch starts it again before the new stream subscribed: only its own inspect shows it.
    tracker.track(snap('running'));
    expect(starts).toEqual(['web-1', 'web-1']);
    expect(changes).toEqual(['web-1 exited']);
    // Tracked again as it runs: no start.
    tracker.track(snap('running'));
    expect(starts).toHaveLength(2);
    // Dead and back while the stream was away: the re-read finds it running.
    e.restart([{ ...snap('exited'), exitCode: 137 }]);
    await tick();
    await clock.advance(1_000);
    await tick();
    e.restart([snap('running')]);
    await tick();
    await clock.advance(2_000);
    await tick();
    expect(changes).toEqual(['web-1 exited', 'web-1 exited', 'web-1 started']);
    expect(starts).toEqual(['web-1', 'web-1', 'web-1']);
    stop.abort();
    tracker.close();
  });

  it('reports a replica the engine no longer has as removed', async () => {
    const { e, clock, tracker, changes } = following();
    tracker.track(snap('running'));
    await tick();
    e.restart([]);
    await tick();
    await clock.advance(750);
    await tick();
    expect(changes).toEqual(['web-1 removed']);
    expect(tracker.all()).toEqual([]);
    tracker.close();
  });
});

describe('ReplicaTracker and a stop it did not ask for', () => {
  /**
   * The `engine()` above, whose inspect the test answers or refuses as an engine that is gone
   * (the check the tracker makes at a die it did not cause).
   */
  function withInspect() {
    const e = engine();
    const tracker = new ReplicaTracker(
      { runtimes: dockerRuntimes(e.docker), clock: new FakeClock(), startProbe: () => Promise.resolve() },
      { current: { services: { web: service('web') } } },
    );
    const changes: string[] = [];
    tracker.onChange((_r, c) => changes.push(c.kind));
    tracker.follow('p', new AbortController().signal);
    tracker.track(snap('running'));
    return { e, tracker, changes };
  }

  it('holds what follows a die until the engine answered, and reports it in the engine order', async () => {
    const { e, tracker, changes } = withInspect();
    e.push({ type: 'die', id: 'c1', labels: {}, exitCode: 0, time: 0 });
    e.push({ type: 'stop', id: 'c1', labels: {}, time: 0 });
    e.push({ type: 'start', id: 'c1', labels: {}, time: 0 });
    await tick();
    expect(changes).toEqual([]);
    e.inspects[0]?.(snap('exited'));
    await tick();
    expect(changes).toEqual(['exited', 'stopped', 'started']);
    tracker.close();
  });

  it('takes a stop while the engine no longer answers for its shutdown: the die is reported, the stop is not', async () => {
    const { e, tracker, changes } = withInspect();
    e.refuse(new OrchError('ENGINE_UNREACHABLE', 'cannot reach the Docker engine'));
    e.push({ type: 'die', id: 'c1', labels: {}, exitCode: 143, time: 0 });
    e.push({ type: 'stop', id: 'c1', labels: {}, time: 0 });
    await tick();
    expect(changes).toEqual(['exited']);
    expect(tracker.all()[0]).toMatchObject({ state: 'exited', exitCode: 143 });
    tracker.close();
  });
});
