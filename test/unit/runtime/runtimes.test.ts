import { describe, expect, it } from 'vitest';
import { RuntimeSet, listAll } from '../../../src/core/runtime/runtimes.js';
import { DockerRuntime } from '../../../src/core/runtime/docker.js';
import { allReplicas } from '../../../src/core/runtime/all-replicas.js';
import { ReplicaTracker, type ReplicaChange } from '../../../src/core/engine/replica-tracker.js';
import { prepareService, startPrepared } from '../../../src/core/engine/replicas.js';
import { isOrchError } from '../../../src/errors/index.js';
import type { ContainerSnapshot, DockerPort } from '../../../src/core/ports.js';
import type { ServiceSpec } from '../../../src/model/project.js';
import { FakeClock, FakeReplicaRuntime } from '../../fakes/index.js';
import { project, service } from '../supervisor/helpers.js';

const hostProcess = (name: string): ServiceSpec => {
  const s = service(name);
  return { ...s, orch: { ...s.orch, process: { command: 'node server.js', cwd: '/proj' } } };
};

describe('RuntimeSet: which runtime runs a service', () => {
  it('sends containers to the container runtime and x-orch.process to the process runtime', () => {
    const clock = new FakeClock();
    const containers = new FakeReplicaRuntime(clock, 'container');
    const processes = new FakeReplicaRuntime(clock, 'process');
    const set = new RuntimeSet([containers, processes]);
    expect(set.of(service('web'))).toBe(containers);
    expect(set.of(hostProcess('api'))).toBe(processes);
    // with an image as well (for exports), it still runs on the host locally
    expect(set.of({ ...hostProcess('web'), image: 'web:1' })).toBe(processes);
    expect(set.kind('process')).toBe(processes);
  });

  it('refuses a host process service with a clear error naming it when no process runtime is registered', () => {
    const set = new RuntimeSet([new FakeReplicaRuntime(new FakeClock())]);
    let caught: unknown;
    try {
      set.of(hostProcess('api'));
    } catch (e) {
      caught = e;
    }
    expect(isOrchError(caught)).toBe(true);
    expect((caught as Error).message).toContain('service "api"');
    expect((caught as Error).message).toContain('x-orch.process');
  });

  it('lists every runtime’s replicas, and reads each one’s logs from its own runtime', async () => {
    const clock = new FakeClock();
    const containers = new FakeReplicaRuntime(clock, 'container');
    const processes = new FakeReplicaRuntime(clock, 'process');
    const p = project(service('web'), hostProcess('api'));
    const web = await containers.create(p, service('web'), 1);
    const api = await processes.create(p, hostProcess('api'), 1);
    await processes.start(api.id);
    processes.print(api.id, 'api listening');
    const set = new RuntimeSet([containers, processes]);
    expect((await listAll(set, 'test')).map((r) => `${r.runtime} ${r.name}`)).toEqual([
      'container test-web-1',
      'process test-api-1',
    ]);
    const reader = allReplicas(set);
    await reader.list('test');
    const lines: string[] = [];
    for await (const batch of reader.logs(api.id, { follow: false, timestamps: false }))
      for (const l of batch) lines.push(l.line);
    expect(lines).toEqual(['api listening']);
    expect(web.runtime).toBe('container');
  });
});

describe('allReplicas: several runtimes read as one', () => {
  it('merges every runtime’s events as they come, and ends them all when the reader stops', async () => {
    const clock = new FakeClock();
    const containers = new FakeReplicaRuntime(clock, 'container');
    const processes = new FakeReplicaRuntime(clock, 'process');
    const p = project(service('web'), hostProcess('api'));
    const reader = allReplicas(new RuntimeSet([containers, processes]));
    const ctl = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of reader.events('test', ctl.signal)) seen.push(`${e.type} ${e.id}`);
    })();
    await clock.flush();
    const web = await containers.create(p, service('web'), 1);
    const api = await processes.create(p, hostProcess('api'), 1);
    await processes.start(api.id);
    await containers.start(web.id);
    await clock.flush();
    expect(seen).toEqual([`create ${web.id}`, `create ${api.id}`, `start ${api.id}`, `start ${web.id}`]);
    // Learnt from the events alone (never listed): the process's logs come from its own runtime.
    processes.print(api.id, 'api up');
    const lines: string[] = [];
    for await (const batch of reader.logs(api.id, { follow: false, timestamps: false }))
      for (const l of batch) lines.push(l.line);
    expect(lines).toEqual(['api up']);
    ctl.abort();
    await done;
  });
});

describe('allReplicas: a runtime whose stream ends', () => {
  it('ends the merged events when one runtime’s stream ends, the others still open (so a follower reconnects)', async () => {
    const clock = new FakeClock();
    const containers = new FakeReplicaRuntime(clock, 'container');
    const processes = new FakeReplicaRuntime(clock, 'process');
    // The engine closes its event stream on its way down: the stream ends, it does not fail.
    let close: () => void = () => undefined;
    containers.events = async function* (_project: string, signal: AbortSignal) {
      await new Promise<void>((r) => {
        close = r;
        signal.addEventListener('abort', () => r(), { once: true });
      });
      yield* [];
    };
    const reader = allReplicas(new RuntimeSet([containers, processes]));
    let ended = false;
    const done = (async () => {
      for await (const _ of reader.events('test', new AbortController().signal)) void _;
      ended = true;
    })();
    await clock.flush();
    expect(ended).toBe(false);
    close();
    await clock.flush();
    await done;
    expect(ended).toBe(true);
  });
});

describe('DockerRuntime over the engine port', () => {
  const snap = (id: string): ContainerSnapshot => ({
    id,
    name: 'test-web-1',
    image: 'web:latest',
    labels: {},
    state: 'created',
    exitCode: null,
    health: 'none',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    ports: [],
  });
  const files = { readFile: () => Promise.reject(new Error('none')), env: {} };

  it('names the container a stranger holds, with how to free the name', async () => {
    const docker = {
      imageId: () => Promise.resolve('sha256:1'),
      createContainer: () =>
        Promise.reject(new Error('(HTTP code 409) Conflict. The name is already in use')),
    } as unknown as DockerPort;
    const err = await new DockerRuntime(docker, files)
      .create(project(service('web')), service('web'), 1)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isOrchError(err)).toBe(true);
    expect((err as Error).message).toContain('container name "test-web-1" is taken');
  });

  it('stops with the grace in whole seconds before a forced removal with anonymous volumes', async () => {
    const calls: string[] = [];
    const docker = {
      stopContainer: (id: string, s: number) => Promise.resolve(void calls.push(`stop ${id} ${s}`)),
      removeContainer: (id: string, o: object) =>
        Promise.resolve(void calls.push(`remove ${id} ${JSON.stringify(o)}`)),
    } as unknown as DockerPort;
    await new DockerRuntime(docker, files).remove('c1', { graceMs: 1500 });
    expect(calls).toEqual(['stop c1 2', 'remove c1 {"force":true,"volumes":true}']);
  });

  it('labels its snapshots as containers and lists by project, service and replica labels', async () => {
    let filters: readonly string[] = [];
    const docker = {
      listContainers: (f: readonly string[]) => {
        filters = f;
        return Promise.resolve([snap('c1')]);
      },
    } as unknown as DockerPort;
    const listed = await new DockerRuntime(docker, files).list('test', { service: 'web', replica: 2 });
    expect(filters).toEqual(['dev.orch.project=test', 'dev.orch.service=web', 'dev.orch.replica=2']);
    expect(listed[0]?.runtime).toBe('container');
  });
});

describe('ReplicaTracker on a fake runtime', () => {
  async function running(...specs: ServiceSpec[]) {
    const clock = new FakeClock();
    const runtime = new FakeReplicaRuntime(clock);
    const p = project(...specs);
    const tracker = new ReplicaTracker(
      { runtimes: new RuntimeSet([runtime]), clock, startProbe: () => Promise.resolve() },
      { current: p },
    );
    const changes: string[] = [];
    tracker.onChange((r, c: ReplicaChange) =>
      changes.push(`${r.service}-${r.replica} ${c.kind}${'exitCode' in c ? ` ${c.exitCode}` : ''}`),
    );
    const stop = new AbortController();
    tracker.follow('test', stop.signal);
    return { clock, runtime, p, tracker, changes, stop };
  }

  it('creates, starts and follows replicas: exits with codes and health with the check’s output', async () => {
    const web = service('web', { replicas: 2 });
    const t = await running(web);
    t.runtime.script('web', { healthyAfterMs: 1000, unhealthyAfterMs: 5000, unhealthyOutput: 'no pong' });
    const prepared = await prepareService(t.p, web, [], t.tracker, t.runtime, () => undefined);
    await startPrepared(prepared, t.tracker, () => undefined);
    await t.clock.flush();
    expect(t.runtime.callsOf('start')).toEqual(['web-1', 'web-2']);
    expect(t.changes).toEqual(['web-1 started', 'web-2 started']);
    await t.clock.advance(1000);
    const r1 = t.tracker.of('web')[0]!;
    expect(t.tracker.health(r1)).toBe('healthy');
    await t.clock.advance(4000);
    expect(r1.dockerHealthOutput).toBe('no pong');
    t.runtime.exit(r1.id, 3);
    await t.clock.flush();
    expect(t.changes.slice(2)).toEqual([
      'web-1 health',
      'web-2 health',
      'web-1 health',
      'web-2 health',
      'web-1 exited 3',
    ]);
    t.stop.abort();
    t.tracker.close();
  });

  it('keeps a replica whose hash still matches, and recreates one whose configuration changed', async () => {
    const web = service('web');
    const t = await running(web);
    const first = await prepareService(t.p, web, [], t.tracker, t.runtime, () => undefined);
    await startPrepared(first, t.tracker, () => undefined);
    const kept = await prepareService(
      t.p,
      web,
      await t.runtime.list('test'),
      t.tracker,
      t.runtime,
      () => undefined,
    );
    expect(kept.toStart).toEqual([]);
    const edited = { ...web, environment: { MODE: 'new' } };
    const redone = await prepareService(
      t.p,
      edited,
      await t.runtime.list('test'),
      t.tracker,
      t.runtime,
      () => undefined,
    );
    expect(redone.toStart.map((x) => x.recreated)).toEqual([true]);
    expect(t.runtime.callsOf('remove')).toEqual(['web-1']);
    t.tracker.close();
  });

  it('after the engine comes back, reports what died while it was away, once', async () => {
    const web = service('web');
    const t = await running(web);
    const prepared = await prepareService(t.p, web, [], t.tracker, t.runtime, () => undefined);
    await startPrepared(prepared, t.tracker, () => undefined);
    await t.clock.flush();
    const id = t.tracker.of('web')[0]!.id;
    t.runtime.goAway();
    t.runtime.exit(id, 255, { silent: true });
    await t.clock.advance(250);
    expect(t.changes).toEqual(['web-1 started']);
    t.runtime.back();
    await t.clock.advance(2000);
    expect(t.changes).toEqual(['web-1 started', 'web-1 exited 255']);
    expect(t.tracker.of('web')[0]).toMatchObject({ state: 'exited', exitCode: 255 });
    t.tracker.close();
  });
});
