import { describe, expect, it } from 'vitest';
import { harness, project, service } from './helpers.js';

/** Gaps between consecutive restarts and their first one's distance from `from`. */
const gaps = (times: number[], from: number) =>
  times.map((t, i) => t - (i === 0 ? from : (times[i - 1] ?? 0)));

describe('supervisor: restart policies', () => {
  it('always restarts an exit 0, after the initial backoff', async () => {
    const h = harness(project(service('api', { restart: { kind: 'always' } })));
    h.exited('api', 0);
    expect(h.sup.status('api', 1)).toMatchObject({
      state: 'restarting',
      nextRestartAt: 250,
      lastExitCode: 0,
    });
    await h.clock.advance(249);
    expect(h.actions.restarts).toHaveLength(0);
    await h.clock.advance(1);
    expect(h.actions.restarts).toEqual([
      { service: 'api', replica: 1, reason: 'exited with code 0', at: 250 },
    ]);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('no never restarts', async () => {
    const h = harness(project(service('api', { restart: { kind: 'no' } })));
    h.exited('api', 1);
    await h.clock.advance(120_000);
    expect(h.actions.restarts).toHaveLength(0);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'exited', lastExitCode: 1, restarts: 0 });
    expect(h.actions.eventsOf('not-restarted')).toHaveLength(1);
  });

  it('follows a new version of the project (a live edit): the new restart policy applies', async () => {
    const h = harness(project(service('api', { restart: { kind: 'no' } })));
    h.live.set(project(service('api', { restart: { kind: 'always' } })));
    h.exited('api', 1);
    await h.clock.advance(1_000);
    expect(h.actions.restarts).toHaveLength(1);
  });

  it('on-failure does not restart an exit 0', async () => {
    const h = harness(project(service('job', { restart: { kind: 'on-failure' } })));
    h.exited('job', 0);
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
    expect(h.sup.status('job', 1)?.state).toBe('exited');
  });

  it('on-failure:2 restarts twice, then gives up', async () => {
    const h = harness(project(service('api', { restart: { kind: 'on-failure', maxRetries: 2 } })));
    h.actions.onRestarted = () => h.exited('api', 3);
    h.exited('api', 3);
    await h.clock.advance(60_000);
    expect(h.actions.restarts.map((r) => r.at)).toEqual([250, 750]);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'gave-up', restarts: 2, lastExitCode: 3 });
    expect(h.actions.eventsOf('gave-up')).toEqual([
      { type: 'gave-up', service: 'api', replica: 1, reason: 'exited with code 3', attempts: 2 },
    ]);
  });

  it('acts on an exit that arrives while its restart is still in flight (the new container died at once)', async () => {
    const h = harness(project(service('api', { restart: { kind: 'on-failure', maxRetries: 3 } })));
    h.actions.startMs = 100; // the restart call resolves 100ms after it began
    h.exited('api', 3);
    // The restarted container dies at t=300, before restartReplica (250→350) has resolved.
    void h.clock.sleep(300).then(() => h.exited('api', 3));
    await h.clock.advance(10_000);
    const at = h.actions.restarts.map((r) => r.at);
    expect(at[0]).toBe(250);
    expect(at).toHaveLength(2);
    // Backed off from when the first restart resolved, not dropped.
    expect(at[1]).toBeGreaterThanOrEqual(350 + 400);
    expect(h.sup.status('api', 1)?.restarts).toBe(2);
  });

  it('backs off exponentially while the replica never gets stable, up to the 30s cap', async () => {
    // Health-gated but never healthy: nothing resets the backoff; 15s up keeps it out of a crash loop.
    const h = harness(project(service('api', { health: true })));
    h.actions.onRestarted = () => {
      h.started('api');
      void h.clock.sleep(15_000).then(() => h.exited('api', 1));
    };
    h.exited('api', 1);
    await h.clock.advance(400_000);
    const starts = h.actions.restarts.map((r) => r.at);
    expect(gaps(starts, 0).slice(0, 10)).toEqual([
      250, 15_500, 16_000, 17_000, 19_000, 23_000, 31_000, 45_000, 45_000, 45_000,
    ]);
    expect(
      h.actions
        .eventsOf('restarting')
        .map((e) => e.afterMs)
        .slice(0, 10),
    ).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(h.actions.eventsOf('crash-loop')).toHaveLength(0);
  });

  it('resets the backoff after 10s healthy, not after 9s', async () => {
    const h = harness(project(service('api', { health: true })));
    const delays = () => h.actions.eventsOf('restarting').map((e) => e.afterMs);
    const crashAfterHealthy = async (upMs: number) => {
      await h.clock.runUntilIdle(); // restart due
      h.health('api', 'healthy');
      await h.clock.advance(upMs);
      h.exited('api', 1);
    };
    h.exited('api', 1); // 250
    await crashAfterHealthy(1_000); // 500
    await crashAfterHealthy(9_000); // 1000: 9s healthy is not enough
    await crashAfterHealthy(10_000); // back to 250
    expect(delays()).toEqual([250, 500, 1000, 250]);
    expect(h.actions.eventsOf('recovered')).toEqual([
      { type: 'recovered', service: 'api', replica: 1, wasCrashLoop: false },
    ]);
  });

  it('resets the backoff after 10s running when there is no health source', async () => {
    const h = harness(project(service('api')));
    h.exited('api', 1);
    await h.clock.advance(250 + 1_000);
    h.exited('api', 1);
    await h.clock.advance(500 + 10_000);
    h.exited('api', 1);
    expect(h.actions.eventsOf('restarting').map((e) => e.afterMs)).toEqual([250, 500, 250]);
  });

  it('restarts at the deploy delay, doubling from it', async () => {
    const h = harness(project(service('api', { deploy: { condition: 'any', delayMs: 2000 } })));
    h.actions.onRestarted = () => h.exited('api', 0);
    h.exited('api', 0);
    await h.clock.advance(14_000 + 1);
    expect(h.actions.restarts.map((r) => r.at)).toEqual([2000, 6000, 14_000]);
  });

  it('deploy condition on-failure leaves an exit 0 alone', async () => {
    const h = harness(
      project(service('api', { restart: { kind: 'always' }, deploy: { condition: 'on-failure' } })),
    );
    h.exited('api', 0);
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
  });

  it('deploy condition none wins over restart: always', async () => {
    const h = harness(
      project(service('api', { restart: { kind: 'always' }, deploy: { condition: 'none' } })),
    );
    h.exited('api', 1);
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
  });

  it('deploy max_attempts within window: gives up on attempts close together, not on spread ones', async () => {
    const deploy = { condition: 'any', delayMs: 1000, maxAttempts: 2, windowMs: 30_000 } as const;
    const close = harness(project(service('api', { deploy })));
    close.actions.onRestarted = () => close.exited('api', 1);
    close.exited('api', 1);
    await close.clock.advance(60_000);
    expect(close.actions.restarts.map((r) => r.at)).toEqual([1000, 3000]);
    expect(close.sup.status('api', 1)?.state).toBe('gave-up');

    // 20s up between crashes: by the third one the first restart has left the 30s window.
    const spread = harness(project(service('api', { deploy })));
    spread.actions.onRestarted = () => void spread.clock.sleep(20_000).then(() => spread.exited('api', 1));
    spread.exited('api', 1);
    await spread.clock.advance(65_000);
    expect(spread.actions.restarts.map((r) => r.at)).toEqual([1000, 22_000, 43_000, 64_000]);
    expect(spread.sup.status('api', 1)?.state).toBe('running');
  });

  it('a failed restart is a failure: retried at the next delay', async () => {
    const h = harness(project(service('api')));
    h.actions.failNext = 1;
    h.exited('api', 1);
    await h.clock.advance(250);
    expect(h.sup.status('api', 1)).toMatchObject({
      state: 'restarting',
      lastReason: 'restart failed: image not found',
      nextRestartAt: 750,
    });
    await h.clock.advance(500);
    expect(h.actions.restarts.map((r) => r.at)).toEqual([250, 750]);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', restarts: 2 });
  });

  it('counts restarts per service+replica, whatever container each one ran in', async () => {
    const h = harness(project(service('api', { replicas: 2 })));
    for (let i = 0; i < 3; i++) {
      h.exited('api', 1, 1);
      await h.clock.advance(60_000);
    }
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', restarts: 3 });
    expect(h.sup.status('api', 2)).toMatchObject({ state: 'running', restarts: 0 });
    expect(h.sup.statuses().map((s) => [s.service, s.replica, s.restarts])).toEqual([
      ['api', 1, 3],
      ['api', 2, 0],
    ]);
  });
});

describe('supervisor: stopping on purpose', () => {
  for (const kind of ['always', 'unless-stopped', 'on-failure'] as const) {
    it(`${kind}: a replica the user stopped is not restarted`, async () => {
      const h = harness(project(service('api', { restart: { kind }, replicas: 2 })));
      h.stoppedByUser('api');
      h.exited('api', 137, 1);
      h.exited('api', 0, 2);
      await h.clock.advance(120_000);
      expect(h.actions.restarts).toHaveLength(0);
      expect(h.sup.status('api', 1)).toMatchObject({ state: 'exited', lastExitCode: 137 });
    });
  }

  it('a stop cancels a pending restart; scale-down stops only that replica', async () => {
    const h = harness(project(service('api', { replicas: 2 })));
    h.exited('api', 1, 1);
    h.exited('api', 1, 2);
    h.stoppedByUser('api', 2);
    await h.clock.advance(60_000);
    expect(h.actions.restarts.map((r) => r.replica)).toEqual([1]);
    expect(h.sup.status('api', 2)).toEqual({
      state: 'exited',
      restarts: 0,
      health: 'none',
      lastExitCode: 1,
      lastReason: 'exited with code 1',
    });
  });

  it('a user start after a stop resumes supervision', async () => {
    const h = harness(project(service('api', { restart: { kind: 'unless-stopped' } })));
    h.stoppedByUser('api');
    h.exited('api', 0);
    await h.clock.advance(5_000);
    h.started('api');
    h.exited('api', 1);
    await h.clock.advance(250);
    expect(h.actions.restarts).toHaveLength(1);
  });

  it('a user start resets an on-failure:N count that had given up', async () => {
    const h = harness(project(service('api', { restart: { kind: 'on-failure', maxRetries: 1 } })));
    h.exited('api', 1);
    await h.clock.advance(250);
    h.exited('api', 1);
    expect(h.sup.status('api', 1)?.state).toBe('gave-up');
    h.started('api');
    h.exited('api', 1);
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(2);
  });
});

describe('supervisor: abort', () => {
  it('aborting cancels every pending restart and timer, and later inputs are ignored', async () => {
    const h = harness(project(service('api', { replicas: 2 }), service('web', { health: true })));
    h.exited('api', 1, 1);
    h.exited('api', 1, 2);
    h.health('web', 'healthy');
    expect(h.clock.pendingTimers).toBe(3); // two restarts, web's stability check
    h.ctl.abort();
    await h.clock.flush();
    expect(h.clock.pendingTimers).toBe(0);
    h.exited('web', 1);
    await h.clock.advance(120_000);
    expect(h.actions.restarts).toHaveLength(0);
  });

  it('a restart under way when aborted changes nothing after', async () => {
    const h = harness(project(service('api')));
    h.actions.startMs = 1000;
    h.exited('api', 1);
    await h.clock.advance(500);
    h.sup.close();
    await h.clock.advance(2000);
    expect(h.actions.eventsOf('restarted')).toHaveLength(0);
  });
});

describe('supervisor: restart counts handed over from an earlier supervisor', () => {
  it('counts on from a seeded count, without counting the seed as attempts', async () => {
    const h = harness(project(service('api', { restart: { kind: 'on-failure', maxRetries: 1 } })));
    h.sup.seedRestarts('api', 1, 3);
    h.sup.seedRestarts('ghost', 1, 9); // a service no longer in the file is ignored
    h.started('api');
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', restarts: 3 });
    expect(h.sup.status('ghost', 1)).toBeUndefined();
    h.exited('api', 1);
    await h.clock.advance(1_000);
    // on-failure:1 still gets its one attempt: only the displayed count carried over.
    expect(h.actions.restarts).toHaveLength(1);
    expect(h.sup.status('api', 1)).toMatchObject({ restarts: 4 });
  });
});
