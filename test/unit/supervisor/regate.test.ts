import { describe, expect, it } from 'vitest';
import { harness, project, service } from './helpers.js';

const stack = () =>
  project(
    service('db', { health: true }),
    service('api', { dependsOn: { db: { condition: 'service_healthy', restart: true } } }),
    service('worker', { dependsOn: { db: { condition: 'service_healthy', restart: false } } }),
  );

describe('supervisor: re-gating dependents', () => {
  it('restarts a restart:true dependent only once its dependency is healthy again', async () => {
    const h = harness(stack());
    h.health('db', 'healthy');
    await h.clock.advance(20_000);
    h.exited('db', 1);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'waiting', waitingOn: ['db'] });
    expect(h.sup.status('worker', 1)?.state).toBe('running');
    expect(h.actions.eventsOf('waiting')).toEqual([
      { type: 'waiting', service: 'api', replica: 1, on: ['db'] },
    ]);

    await h.clock.advance(250); // db restarted, not yet healthy
    expect(h.actions.restarts.map((r) => r.service)).toEqual(['db']);
    expect(h.sup.status('api', 1)?.state).toBe('waiting');
    await h.clock.advance(5_000);
    expect(h.actions.restarts.map((r) => r.service)).toEqual(['db']);

    h.health('db', 'healthy');
    await h.clock.flush();
    expect(h.actions.restarts.map((r) => [r.service, r.at])).toEqual([
      ['db', 20_250],
      ['api', 25_250],
    ]);
    expect(h.actions.restartsOf('api')[0]?.reason).toBe('dependency db is ready again');
    expect(h.actions.eventsOf('regated')).toEqual([
      { type: 'regated', service: 'api', replica: 1, after: 'db' },
    ]);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', restarts: 1 });
    expect(h.sup.status('api', 1)?.waitingOn).toBeUndefined();
    // The dependent without restart: true was never touched.
    expect(h.actions.restartsOf('worker')).toHaveLength(0);
  });

  it('an unhealthy dependency also makes them wait, even when it is not restarted', async () => {
    const p = project(
      service('db', { health: true, restartOnUnhealthy: false }),
      service('api', { dependsOn: { db: { restart: true } } }),
    );
    const h = harness(p);
    h.health('db', 'healthy');
    h.health('db', 'unhealthy');
    expect(h.sup.status('api', 1)?.state).toBe('waiting');
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
    h.health('db', 'healthy');
    await h.clock.flush();
    expect(h.actions.restarts.map((r) => r.service)).toEqual(['api']);
  });

  it('a dependency without a health source is ready again once started', async () => {
    const p = project(
      service('cache'),
      service('api', { replicas: 2, dependsOn: { cache: { restart: true } } }),
    );
    const h = harness(p);
    h.exited('cache', 137);
    expect(h.sup.status('api', 2)?.state).toBe('waiting');
    await h.clock.advance(250);
    expect(h.actions.restarts.map((r) => `${r.service}-${r.replica}`)).toEqual(['cache-1', 'api-1', 'api-2']);
  });

  it('a dependent that dies while waiting is brought back by the regate, not by its own backoff', async () => {
    const h = harness(stack());
    h.health('db', 'healthy');
    h.exited('db', 1);
    h.exited('api', 1);
    await h.clock.advance(60_000);
    expect(h.actions.restartsOf('api')).toHaveLength(0);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'waiting', lastExitCode: 1 });
    h.health('db', 'healthy');
    await h.clock.flush();
    expect(h.actions.restartsOf('api')).toHaveLength(1);
  });

  it('waits for every replica of the dependency, then cascades down the chain', async () => {
    const p = project(
      service('db', { health: true, replicas: 2 }),
      service('api', { health: true, dependsOn: { db: { restart: true } } }),
      service('web', { dependsOn: { api: { restart: true } } }),
    );
    const h = harness(p);
    h.health('db', 'healthy', 1);
    h.health('db', 'healthy', 2);
    h.health('api', 'healthy');
    h.exited('db', 1, 1);
    await h.clock.advance(250);
    h.health('db', 'healthy', 1);
    await h.clock.flush();
    expect(h.actions.restarts.map((r) => r.service)).toEqual(['db', 'api']);
    // api was restarted, so web waits for it in turn.
    expect(h.sup.status('web', 1)).toMatchObject({ state: 'waiting', waitingOn: ['api'] });
    h.health('api', 'healthy');
    await h.clock.flush();
    expect(h.actions.restarts.map((r) => r.service)).toEqual(['db', 'api', 'web']);
  });

  it('a dependent the user stopped stays stopped', async () => {
    const h = harness(stack());
    h.health('db', 'healthy');
    h.stoppedByUser('api');
    h.exited('db', 1);
    await h.clock.advance(250);
    h.health('db', 'healthy');
    await h.clock.flush();
    expect(h.actions.restartsOf('api')).toHaveLength(0);
    expect(h.sup.status('api', 1)?.state).toBe('exited');
  });
});
