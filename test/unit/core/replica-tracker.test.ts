import { describe, expect, it } from 'vitest';
import { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import type { ContainerSnapshot, DockerPort, EngineEvent } from '../../../src/core/ports.js';
import type { Project, ServiceSpec } from '../../../src/model/project.js';
import { LiveProject } from '../../../src/core/live-project.js';
import { FakeClock } from '../../fakes/index.js';
import { service } from '../supervisor/helpers.js';

const snap = (state: ContainerSnapshot['state']): ContainerSnapshot => ({
  id: 'c1',
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
    inspectContainer: () => new Promise<ContainerSnapshot>((r) => inspects.push(r)),
  } as unknown as DockerPort;
  return {
    docker,
    inspects,
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
      docker: e.docker,
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
      { docker: e.docker, clock: new FakeClock(), startProbe: () => Promise.resolve() },
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
