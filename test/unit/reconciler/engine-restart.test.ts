import { describe, expect, it } from 'vitest';
import { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import { LiveProject } from '../../../src/core/live-project.js';
import type { ContainerSnapshot, DockerPort, EngineEvent } from '../../../src/core/ports.js';
import type { ReplicaSnapshot } from '../../../src/core/runtime/port.js';
import { Reconciler } from '../../../src/core/reconciler/index.js';
import { OrchError } from '../../../src/errors/index.js';
import type { OrchEventBody } from '../../../src/model/events.js';
import { dockerRuntimes, FakeClock } from '../../fakes/index.js';
import { project, service } from '../supervisor/helpers.js';

const labels = { 'dev.orch.project': 'test', 'dev.orch.service': 'web', 'dev.orch.replica': '1' };
const snap = (state: ContainerSnapshot['state'], exitCode: number | null = null): ReplicaSnapshot => ({
  id: 'c1',
  runtime: 'container',
  name: 'test-web-1',
  image: 'web:latest',
  labels,
  state,
  exitCode,
  health: 'none',
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: '2026-01-01T00:00:01Z',
  finishedAt: null,
  ports: [],
});

/**
 * One container `c1` on an engine the test takes down and brings back. While down, every request
 * fails as the adapter reports an engine that does not answer; the event stream already open
 * still delivers what the test pushes (dockerd stops its containers after it stopped accepting
 * connections, and reports that on the streams it still has) until the test breaks it.
 */
function engine() {
  let up = true;
  let container = snap('running');
  const calls: string[] = [];
  const queue: (EngineEvent | 'break')[] = [];
  let wake: (() => void) | undefined;
  const unreachable = () =>
    new OrchError('ENGINE_UNREACHABLE', 'cannot reach the Docker engine at /var/run/docker.sock');
  const answer = <T>(call: string, value: () => T): Promise<T> => {
    calls.push(call);
    return up ? Promise.resolve(value()) : Promise.reject(unreachable());
  };
  const docker = {
    ping: () => answer('ping', () => ({ version: '20.10', apiVersion: '1.41' })),
    async *events(_filters: string[], signal: AbortSignal): AsyncGenerator<EngineEvent> {
      if (!up) throw unreachable();
      while (!signal.aborted) {
        const ev = queue.shift();
        if (ev === 'break') throw new Error('socket hang up');
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
    listContainers: () => answer('list', () => [container]),
    inspectContainer: () => answer('inspect', () => container),
    startContainer: () =>
      answer('start', () => {
        container = snap('running');
      }),
    stopContainer: () => answer('stop', () => undefined),
    imageId: () => answer('imageId', () => undefined),
    createContainer: () => answer('create', () => 'c2'),
    removeContainer: () => answer('remove', () => undefined),
  } as unknown as DockerPort;
  const push = (ev: EngineEvent | 'break') => {
    queue.push(ev);
    wake?.();
  };
  const event = (type: 'die' | 'stop', extra: { exitCode?: number } = {}): EngineEvent => ({
    type,
    id: 'c1',
    labels,
    time: 0,
    ...extra,
  });
  return {
    docker,
    calls,
    /** The container stopped (137, as SIGKILL leaves it), with the `die` and `stop` the engine reports. */
    stopContainer(engineUp: boolean) {
      up = engineUp;
      container = snap('exited', 137);
      push(event('die', { exitCode: 137 }));
      push(event('stop'));
    },
    breakStream: () => push('break'),
    comeBack: () => (up = true),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

function running() {
  const e = engine();
  const clock = new FakeClock();
  const live = new LiveProject(project(service('web')));
  const runtimes = dockerRuntimes(e.docker);
  const tracker = new ReplicaTracker({ runtimes, clock, startProbe: () => Promise.resolve() }, live);
  const events: OrchEventBody[] = [];
  const session = new Reconciler(
    live,
    tracker,
    { docker: e.docker, runtimes, clock },
    {
      events: { publish: (body) => (events.push(body), { ...body, time: '' }) },
      random: () => 0.5,
    },
  );
  const stop = new AbortController();
  tracker.follow('test', stop.signal);
  tracker.track(snap('running'));
  session.start();
  const types = () => events.map((x) => x.type);
  const close = () => {
    stop.abort();
    session.close();
  };
  return { e, clock, session, types, close };
}

describe('a supervised replica when the engine restarts', () => {
  it('waits for the engine and starts the same container again: no new one, no crash loop, no "stopped"', async () => {
    const { e, clock, session, types, close } = running();
    e.stopContainer(false);
    await tick();
    // The engine's shutdown stopped it: it died, and is not taken for stopped by hand.
    expect(types()).toEqual(['died', 'restarting']);
    e.breakStream();
    // Down for 10 s: the restart that came due waits for the engine instead of failing over and over.
    for (let i = 0; i < 100; i++) await clock.advance(100);
    expect(types()).toEqual(['died', 'restarting']);
    expect(session.status()[0]).toMatchObject({ service: 'web', restarts: 1 });

    e.comeBack();
    for (let i = 0; i < 40; i++) await clock.advance(100);
    expect(types()).toEqual(['died', 'restarting', 'restarted']);
    expect(e.calls.filter((c) => ['create', 'remove'].includes(c))).toEqual([]);
    expect(e.calls.filter((c) => c === 'start').length).toBeGreaterThanOrEqual(2);
    expect(session.status()[0]).toMatchObject({ state: 'running', restarts: 1 });
    close();
  });

  it('still takes a stop while the engine answers for one by hand, and does not restart it', async () => {
    const { e, clock, session, types, close } = running();
    e.stopContainer(true);
    await tick();
    expect(types()).toEqual(['died', 'restarting', 'stopped']);
    await clock.advance(60_000);
    expect(types()).toEqual(['died', 'restarting', 'stopped']);
    expect(e.calls).not.toContain('start');
    expect(session.status()[0]).toMatchObject({ state: 'exited (137)', restarts: 0 });
    close();
  });
});
