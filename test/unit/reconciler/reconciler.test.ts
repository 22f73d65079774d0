import { describe, expect, it } from 'vitest';
import { checked, project, routed, runStack, service, withRoutes } from './harness.js';

const at = (s: { at: number }[]): number[] => s.map((x) => x.at);

describe('Reconciler: restarts on the runtime’s word', () => {
  it('restarts a crashing replica with doubling backoff, then only as often as the cap in a crash loop', async () => {
    const s = await runStack(project(service('web', { backoff: { initialMs: 1000, maxMs: 8000 } })), (rt) =>
      rt.script('web', { exitAfterMs: 100, exitCode: 3, logs: ['boom'] }),
    );
    await s.clock.advance(30_000);
    const starts = s.runtime.calls.filter((c) => c.op === 'start');
    // Exits 100 ms after each start; waits 1, 2, 4, 8 s, then the 8 s cap once it is a crash loop.
    expect(at(starts)).toEqual([0, 1100, 3200, 7300, 15_400, 23_500]);
    expect(s.eventsOf('restarting').map((e) => e.afterMs)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(s.eventsOf('died').map((e) => e.exitCode)).toEqual([3, 3, 3, 3, 3, 3]);
    // The fifth failure within a minute is a crash loop, reported with what the replica printed last.
    const loop = s.eventsOf('crash-loop');
    expect(loop).toHaveLength(1);
    expect(Date.parse(loop[0]!.time)).toBe(15_500);
    expect(s.eventsOf('last-lines')[0]?.lines).toEqual(['boom', 'boom', 'boom', 'boom', 'boom']);
    expect(s.reconciler.status()[0]).toMatchObject({ service: 'web', restarts: 5, state: 'crashloop' });
    // Nothing was recreated: every restart started the same replica again.
    expect(s.runtime.callsOf('create')).toEqual(['web-1']);
    s.close();
  });

  it('leaves a replica that exits 0 alone under on-failure', async () => {
    const s = await runStack(project(service('job', { restart: { kind: 'on-failure' } })), (rt) =>
      rt.script('job', { exitAfterMs: 100, exitCode: 0 }),
    );
    await s.clock.advance(10_000);
    expect(s.runtime.callsOf('start')).toEqual(['job-1']);
    expect(s.eventsOf('restarting')).toEqual([]);
    s.close();
  });

  it('restarts an unhealthy replica, with the failing check’s output, out of the gateway meanwhile', async () => {
    const p = withRoutes(project(routed(checked('web', { backoff: { initialMs: 1000, maxMs: 8000 } }))), [
      'web',
    ]);
    const s = await runStack(p, (rt) =>
      rt.script(
        'web',
        { healthyAfterMs: 500, unhealthyAfterMs: 3000, unhealthyOutput: 'no pong' },
        { healthyAfterMs: 500 },
      ),
    );
    const id = s.runtime.find('web')!.id;
    await s.clock.advance(1000);
    expect(s.gateway.healthy('web')).toEqual([id]);
    await s.clock.advance(2000);
    expect(s.eventsOf('unhealthy')).toMatchObject([{ service: 'web', replica: 1, output: 'no pong' }]);
    expect(s.gateway.healthy('web')).toEqual([]);
    expect(s.eventsOf('gateway-out')).toMatchObject([{ service: 'web', replica: 1 }]);
    expect(s.eventsOf('restarting')).toMatchObject([{ afterMs: 1000 }]);
    expect(s.eventsOf('restarting')[0]?.reason).toMatch(/unhealthy/);
    await s.clock.advance(1000);
    // Stopped and started again in place at 4 s, healthy half a second later, back in rotation.
    expect(s.runtime.calls.filter((c) => c.op !== 'create').map((c) => `${c.op}@${c.at}`)).toEqual([
      'start@0',
      'stop@4000',
      'start@4000',
    ]);
    expect(s.gateway.healthy('web')).toEqual([]);
    await s.clock.advance(500);
    expect(s.gateway.healthy('web')).toEqual([id]);
    expect(s.eventsOf('gateway-in').map((e) => Date.parse(e.time))).toEqual([500, 4500]);
    s.close();
  });

  it('re-gates a dependent: it waits while its dependency is down and is restarted once it is ready again', async () => {
    const db = checked('db', { backoff: { initialMs: 1000, maxMs: 30_000 } });
    const api = service('api', { dependsOn: { db: { condition: 'service_healthy', restart: true } } });
    const s = await runStack(project(db, api), (rt) =>
      rt.script('db', { healthyAfterMs: 500, exitAfterMs: 2000, exitCode: 1 }, { healthyAfterMs: 500 }),
    );
    await s.clock.advance(2500);
    expect(s.eventsOf('waiting')).toMatchObject([{ service: 'api', replica: 1, on: ['db'] }]);
    expect(s.runtime.calls.filter((c) => c.service === 'api' && c.op !== 'create')).toHaveLength(1);
    await s.clock.advance(1000);
    // db restarted at 3 s, healthy at 3.5 s: api is restarted then, once.
    expect(s.eventsOf('regated')).toMatchObject([{ service: 'api', after: 'db' }]);
    expect(Date.parse(s.eventsOf('regated')[0]!.time)).toBe(3500);
    expect(
      s.runtime.calls.filter((c) => c.service === 'api' && c.op !== 'create').map((c) => `${c.op}@${c.at}`),
    ).toEqual(['start@0', 'stop@3500', 'start@3500']);
    await s.clock.advance(60_000);
    expect(s.eventsOf('regated')).toHaveLength(1);
    s.close();
  });
});

describe('Reconciler: desired counts', () => {
  it('scales up into the gateway once healthy, and down highest first, out of the gateway before removal', async () => {
    const p = withRoutes(project(routed(checked('web'))), ['web']);
    const s = await runStack(p, (rt) => rt.script('web', { healthyAfterMs: 300 }));
    await s.clock.advance(300);
    const up = s.reconciler.scale('web', 3);
    await s.clock.flush();
    await up;
    expect(s.runtime.callsOf('create')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(s.gateway.healthy('web')).toHaveLength(1);
    await s.clock.advance(300);
    expect(s.gateway.healthy('web')).toHaveLength(3);
    expect(s.eventsOf('scaled')).toMatchObject([{ service: 'web', from: 1, to: 3 }]);
    expect(s.live.current.services.web?.replicas).toBe(3);

    const [, two, three] = [1, 2, 3].map((n) => s.runtime.find('web', n)!.id);
    s.log.length = 0;
    await s.reconciler.scale('web', 1);
    expect(s.log).toEqual([`out ${three}`, `remove ${three}`, `out ${two}`, `remove ${two}`]);
    expect(s.runtime.snapshots().map((x) => x.name)).toEqual(['test-web-1']);
    // Removed by orch: nothing to restart.
    await s.clock.advance(60_000);
    expect(s.eventsOf('restarting')).toEqual([]);
    expect(s.reconciler.status().map((r) => r.replica)).toEqual([1]);
    s.close();
  });

  it('refuses a second replica of a service with a fixed host port, naming it', async () => {
    const web = {
      ...service('web'),
      ports: [{ target: 80, published: '8081', hostIp: '127.0.0.1', protocol: 'tcp' as const }],
    };
    const s = await runStack(project(web));
    await expect(s.reconciler.scale('web', 2)).rejects.toThrow('service "web" cannot have 2 replicas');
    expect(s.runtime.callsOf('create')).toEqual(['web-1']);
    s.close();
  });
});

describe('Reconciler: live edits', () => {
  it('rolls a routed service one replica at a time with no moment without a healthy member', async () => {
    const p = withRoutes(project(routed(checked('web', { replicas: 2 }))), ['web']);
    const s = await runStack(p, (rt) => rt.script('web', { healthyAfterMs: 400 }));
    await s.clock.advance(400);
    const olds = [1, 2].map((n) => s.runtime.find('web', n)!.id);
    const edited = { ...p.services.web!, environment: { MODE: 'two' } };
    const next = { ...p, services: { web: edited } };
    const applying = s.reconciler.applyProject(next, s.signal, { drainMs: 500 });
    await s.clock.advance(10_000);
    const plan = await applying;
    expect(plan.changes).toMatchObject([{ kind: 'recreate', service: 'web' }]);
    const news = [1, 2].map((n) => s.runtime.find('web', n)!.id);
    expect(news.some((id) => olds.includes(id))).toBe(false);
    // Every membership the gateway was told during the rollout had a healthy replica in it.
    const during = s.gateway.sets.filter((x) => x.service === 'web' && x.at >= 400);
    expect(during.length).toBeGreaterThan(0);
    for (const m of during) expect(m.healthy.length).toBeGreaterThan(0);
    // Each new replica was in the gateway before its predecessor went out, and out before removal.
    for (const [i, fresh] of news.entries()) {
      const old = olds[i]!;
      expect(s.log.indexOf(`in ${fresh}`)).toBeLessThan(s.log.indexOf(`out ${old}`));
      expect(s.log.indexOf(`out ${old}`)).toBeLessThan(s.log.indexOf(`remove ${old}`));
    }
    expect(s.eventsOf('rollout').map((e) => `${e.replica} ${e.phase}`)).toEqual([
      '1 started',
      '1 healthy',
      '1 stopping',
      '1 replaced',
      '2 started',
      '2 healthy',
      '2 stopping',
      '2 replaced',
    ]);
    // The new replicas are the supervisor's: a crash now is restarted.
    s.runtime.exit(news[0]!, 1);
    await s.clock.advance(1000);
    expect(s.eventsOf('restarting')).toMatchObject([{ service: 'web', replica: 1 }]);
    s.close();
  });

  it('touches only the services the edit changed: an edited one recreated, an added one started, a removed one gone', async () => {
    const p = project(service('a'), service('b'), service('gone'));
    const s = await runStack(p);
    const b = s.runtime.find('b')!.id;
    const before = s.runtime.calls.length;
    const next = project({ ...service('a'), environment: { X: '1' } }, service('b'), service('new'));
    const applying = s.reconciler.applyProject(next, s.signal);
    await s.clock.advance(5000);
    await applying;
    const after = s.runtime.calls.slice(before).map((c) => `${c.op} ${c.service}`);
    expect(after).toEqual([
      'stop gone',
      'remove gone',
      'stop a',
      'remove a',
      'create a',
      'start a',
      'create new',
      'start new',
    ]);
    expect(s.runtime.find('b')!.id).toBe(b);
    expect(s.live.current).toBe(next);
    expect(Object.keys(s.live.current.services).sort()).toEqual(['a', 'b', 'new']);
    s.close();
  });
});

describe('Reconciler: adoption by a new supervisor', () => {
  it('keeps restart counts and recreates nothing still right; an exit missed meanwhile goes through the policy', async () => {
    const p = project(service('web', { backoff: { initialMs: 1000, maxMs: 8000 } }), service('worker'));
    let s = await runStack(p, (rt) => rt.script('web', { exitAfterMs: 100, exitCode: 1 }, {}));
    await s.clock.advance(2000);
    expect(s.reconciler.status().find((r) => r.service === 'web')?.restarts).toBe(1);
    const ids = s.runtime.snapshots().map((x) => x.id);
    // The supervisor dies (kill -9); meanwhile the worker exits with nobody watching.
    s.close();
    s.runtime.exit(s.runtime.find('worker')!.id, 2);
    s = await s.restartSupervisor();
    expect(s.reconciler.status().find((r) => r.service === 'web')?.restarts).toBe(1);
    await s.clock.advance(2000);
    // The worker's exit is handled as if it had just happened: restarted in place, counted.
    expect(s.eventsOf('restarting')).toMatchObject([{ service: 'worker', replica: 1 }]);
    expect(s.reconciler.status().find((r) => r.service === 'worker')).toMatchObject({
      state: 'running',
      restarts: 1,
    });
    expect(s.runtime.snapshots().map((x) => x.id)).toEqual(ids);
    expect(s.runtime.callsOf('create')).toEqual(['web-1', 'worker-1']);
    s.close();
  });
});

describe('Reconciler: restarts asked for', () => {
  it('`orch restart` restarts one replica at a time, the next only once the last is healthy again', async () => {
    const p = withRoutes(project(routed(checked('web', { replicas: 2 }))), ['web']);
    const s = await runStack(p, (rt) => rt.script('web', { healthyAfterMs: 300 }));
    await s.clock.advance(300);
    const restarting = s.reconciler.restartService('web', s.signal);
    await s.clock.advance(1000);
    await restarting;
    expect(
      s.runtime.calls
        .filter((c) => c.op === 'stop' || c.at > 0)
        .map((c) => `${c.op} ${c.service}-${c.replica}@${c.at}`),
    ).toEqual(['stop web-1@300', 'start web-1@300', 'stop web-2@600', 'start web-2@600']);
    expect(s.eventsOf('rollout').map((e) => `${e.replica} ${e.cause} ${e.phase}`)).toEqual([
      '1 restart stopping',
      '1 restart healthy',
      '2 restart stopping',
      '2 restart healthy',
    ]);
    for (const m of s.gateway.sets.filter((x) => x.service === 'web' && x.at >= 300))
      expect(m.healthy.length).toBeGreaterThan(0);
    expect(s.gateway.healthy('web')).toHaveLength(2);
    // orch's own stop is no crash: nothing for the supervisor to restart.
    expect(s.eventsOf('restarting')).toEqual([]);
    s.close();
  });

  it('the dashboard’s replace makes the replica anew, out of the gateway until the new one is healthy', async () => {
    const p = withRoutes(project(routed(checked('web'))), ['web']);
    const s = await runStack(p, (rt) => rt.script('web', { healthyAfterMs: 300 }));
    await s.clock.advance(300);
    const old = s.runtime.find('web')!.id;
    const replacing = s.reconciler.replaceReplica('web', 1, s.signal);
    await s.clock.advance(1000);
    await replacing;
    const fresh = s.runtime.find('web')!.id;
    expect(fresh).not.toBe(old);
    expect(s.log).toEqual([`in ${old}`, `out ${old}`, `remove ${old}`, `in ${fresh}`]);
    expect(s.eventsOf('rollout').map((e) => e.phase)).toEqual(['stopping', 'replaced', 'started', 'healthy']);
    expect(s.eventsOf('created')).toMatchObject([{ service: 'web', replica: 1, container: 'test-web-1' }]);
    s.close();
  });
});
