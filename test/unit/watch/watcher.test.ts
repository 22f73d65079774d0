import { describe, expect, it } from 'vitest';
import type { Project } from '../../../src/model/project.js';
import type { DockerPort } from '../../../src/core/ports.js';
import type { ReplicaTracker } from '../../../src/core/engine/replica-tracker.js';
import { startWatch, type WatchSession } from '../../../src/core/watch/index.js';
import type { WatchOutcome } from '../../../src/model/events.js';
import { OrchError } from '../../../src/errors/index.js';
import { FakeClock } from '../../fakes/index.js';
import { FakeFiles, FakeWatcher, project, rule, service } from './helpers.js';

function setup(p: Project, reload: () => Promise<Project>) {
  const clock = new FakeClock(0);
  const watcher = new FakeWatcher();
  const files = new FakeFiles();
  const copies: { id: string; paths: string[]; deletions: readonly string[] }[] = [];
  const applied: string[] = [];
  const events: WatchOutcome[] = [];
  const ctl = new AbortController();
  const tracker = {
    of: (s: string) =>
      s === 'web'
        ? [
            { id: 'c1', name: 'test-web-1', state: 'running' },
            { id: 'c2', name: 'test-web-2', state: 'running' },
          ]
        : [],
  } as unknown as ReplicaTracker;
  let current = p;
  const session: WatchSession = {
    get current() {
      return current;
    },
    tracker,
    restartService: () => Promise.resolve(),
    rollService: () => Promise.resolve(),
    applyProject: (next, _signal, opts) => {
      applied.push(JSON.stringify(opts?.plan?.changes.filter((c) => c.kind !== 'unchanged')));
      current = next;
      return Promise.resolve(opts!.plan!);
    },
  };
  const docker = {
    copyToContainer: (id: string, fs: readonly { path: string }[], deletions: readonly string[] = []) => {
      copies.push({ id, paths: fs.map((f) => f.path), deletions });
      return Promise.resolve();
    },
  } as unknown as DockerPort;
  const handle = startWatch({
    session,
    docker,
    clock,
    watcher,
    files,
    reload: async () => ({ project: await reload(), read: ['/proj/compose.yaml'] }),
    projectFiles: ['/proj/compose.yaml'],
    onEvent: (e) => events.push(e),
    signal: ctl.signal,
  });
  return { clock, watcher, files, copies, applied, events, handle, ctl };
}

const web = service('web', {
  replicas: 2,
  watch: [rule({ action: 'sync', path: '/proj/web/public', target: '/app/public', ignore: ['*.tmp'] })],
});

describe('startWatch', () => {
  it('syncs a burst of saves once into every running replica, deletions included', async () => {
    const t = setup(project(web), () => Promise.resolve(project(web)));
    await t.handle.ready;
    t.files.files.set('/proj/web/public/index.html', 'v2');
    t.files.files.set('/proj/web/public/css/a.css', 'x');
    t.watcher.emit('change', '/proj/web/public/index.html');
    await t.clock.advance(50);
    t.watcher.emit('change', '/proj/web/public/index.html');
    t.watcher.emit('add', '/proj/web/public/css/a.css');
    t.watcher.emit('add', '/proj/web/public/x.tmp'); // ignored by the rule
    t.watcher.emit('change', '/proj/web/node_modules/y.js'); // default ignore
    t.watcher.emit('unlink', '/proj/web/public/old.html');
    await t.clock.advance(300);
    await t.handle.idle();
    expect(t.copies).toEqual([
      {
        id: 'c1',
        paths: ['/app/public/index.html', '/app/public/css/a.css'],
        deletions: ['/app/public/old.html'],
      },
      {
        id: 'c2',
        paths: ['/app/public/index.html', '/app/public/css/a.css'],
        deletions: ['/app/public/old.html'],
      },
    ]);
    const done = t.events.find((e) => e.type === 'watch' && e.phase === 'done');
    expect(done).toMatchObject({
      service: 'web',
      action: 'sync',
      detail: 'synced 2 files + 1 deletion to 2 replicas',
    });
    t.ctl.abort();
    await t.handle.close();
  });

  it('names the file itself, not ".", when a rule watches a single file', async () => {
    const single = service('web', {
      replicas: 1,
      watch: [rule({ action: 'sync', path: '/proj/web/config.json', target: '/app/config.json' })],
    });
    const t = setup(project(single), () => Promise.resolve(project(single)));
    await t.handle.ready;
    t.files.files.set('/proj/web/config.json', '{}');
    t.watcher.emit('change', '/proj/web/config.json');
    await t.clock.advance(300);
    await t.handle.idle();
    expect(t.events.find((e) => e.type === 'watch' && e.phase === 'begin')).toMatchObject({
      changed: ['config.json'],
      more: 0,
    });
    t.ctl.abort();
    await t.handle.close();
  });

  it('reports an invalid project edit and changes nothing', async () => {
    const t = setup(project(web), () =>
      Promise.reject(
        new OrchError('PROJECT_INVALID', '/proj/compose.yaml: 1 problem found', {
          diagnostics: [
            { severity: 'error', file: '/proj/compose.yaml', line: 3, col: 5, message: 'bad key' },
          ],
        }),
      ),
    );
    await t.handle.ready;
    t.watcher.emit('change', '/proj/compose.yaml');
    await t.clock.advance(300);
    await t.handle.idle();
    expect(t.applied).toEqual([]);
    const ev = t.events.find((e) => e.type === 'reloaded' && e.phase === 'invalid');
    expect(ev && 'reason' in ev ? ev.reason : '').toContain('/proj/compose.yaml:3:5: bad key');
    await t.handle.close();
  });

  it('applies only the per-service difference of a project edit', async () => {
    const side = service('side');
    const t = setup(project(web, side), () =>
      Promise.resolve(project({ ...web, replicas: 3 }, { ...side, environment: { A: '1' } })),
    );
    await t.handle.ready;
    t.watcher.emit('change', '/proj/compose.yaml');
    t.watcher.emit('change', '/proj/compose.yaml');
    await t.clock.advance(300);
    await t.handle.idle();
    expect(t.applied).toEqual([
      JSON.stringify([
        { kind: 'recreate', service: 'side', from: 1, to: 1, rebuild: false },
        { kind: 'scale', service: 'web', from: 2, to: 3 },
      ]),
    ]);
    expect(t.events.find((e) => e.type === 'reloaded' && e.phase === 'plan')).toMatchObject({
      plan: 'recreate side, scale web 2→3',
    });
    await t.handle.close();
  });
});
