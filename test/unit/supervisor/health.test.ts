import { describe, expect, it } from 'vitest';
import { harness, project, service } from './helpers.js';

describe('supervisor: health and rotation', () => {
  it('takes an unhealthy replica out of rotation at once and restarts it', async () => {
    const h = harness(project(service('api', { health: true })));
    expect(h.actions.inRotation('api')).toBeUndefined(); // health-gated: not in until healthy
    h.health('api', 'healthy');
    expect(h.actions.inRotation('api')).toBe(true);
    await h.clock.advance(30_000);
    h.health('api', 'unhealthy');
    // Same tick, before any restart.
    expect(h.actions.rotation.at(-1)).toEqual({ service: 'api', replica: 1, inRotation: false, at: 30_000 });
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'restarting', nextRestartAt: 30_250 });
    await h.clock.advance(250);
    expect(h.actions.restarts).toEqual([{ service: 'api', replica: 1, reason: 'unhealthy', at: 30_250 }]);
    // Back in only when the new container is healthy.
    expect(h.actions.inRotation('api')).toBe(false);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', health: 'starting', restarts: 1 });
    h.health('api', 'healthy');
    expect(h.actions.inRotation('api')).toBe(true);
  });

  it('a health verdict that arrives while the restart call is still resolving is not lost', async () => {
    const h = harness(project(service('api', { health: true })));
    h.actions.startMs = 1000;
    h.exited('api', 1);
    await h.clock.advance(250 + 500);
    h.health('api', 'healthy'); // the new container, before restartReplica resolved
    expect(h.actions.inRotation('api')).not.toBe(true);
    await h.clock.advance(500);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', health: 'healthy' });
    expect(h.actions.inRotation('api')).toBe(true);
  });

  it('restart_on_unhealthy: false leaves it running, out of rotation until healthy again', async () => {
    const h = harness(project(service('api', { health: true, restartOnUnhealthy: false })));
    h.health('api', 'healthy');
    h.health('api', 'unhealthy');
    expect(h.actions.inRotation('api')).toBe(false);
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'running', health: 'unhealthy' });
    h.health('api', 'healthy');
    expect(h.actions.inRotation('api')).toBe(true);
  });

  it('restart: no never restarts an unhealthy replica either', async () => {
    const h = harness(
      project(service('api', { health: true, restart: { kind: 'no' }, restartOnUnhealthy: true })),
    );
    h.health('api', 'healthy');
    h.health('api', 'unhealthy');
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
    expect(h.actions.inRotation('api')).toBe(false);
  });

  it('a replica without a health source is in rotation while it runs', async () => {
    const h = harness(project(service('api')));
    expect(h.actions.inRotation('api')).toBe(true);
    h.exited('api', 1);
    expect(h.actions.inRotation('api')).toBe(false);
    await h.clock.advance(250);
    expect(h.actions.inRotation('api')).toBe(true);
  });

  it('a replica that turns healthy again before its restart is due is left running', async () => {
    const h = harness(project(service('api', { health: true, backoff: { initialMs: 5000, maxMs: 30_000 } })));
    h.health('api', 'healthy');
    h.health('api', 'unhealthy');
    await h.clock.advance(1000);
    h.health('api', 'healthy');
    await h.clock.advance(60_000);
    expect(h.actions.restarts).toHaveLength(0);
    expect(h.sup.status('api', 1)?.state).toBe('running');
    expect(h.actions.inRotation('api')).toBe(true);
  });
});

describe('supervisor: crash loop', () => {
  it('5 failures inside 60s mark it crashloop; it keeps retrying at the max delay', async () => {
    const h = harness(project(service('api')));
    h.actions.onRestarted = () => h.exited('api', 2);
    h.exited('api', 2);
    // Failures at 0, 250, 750, 1750, 3750: the fifth enters the loop.
    await h.clock.advance(3_750);
    expect(h.actions.eventsOf('crash-loop')).toEqual([
      {
        type: 'crash-loop',
        service: 'api',
        replica: 1,
        lastReason: 'exited with code 2',
        failures: 5,
        windowMs: 60_000,
      },
    ]);
    expect(h.sup.status('api', 1)).toMatchObject({ state: 'crashloop', nextRestartAt: 33_750, restarts: 4 });
    await h.clock.advance(100_000);
    const times = h.actions.restarts.map((r) => r.at);
    expect(times).toEqual([250, 750, 1_750, 3_750, 33_750, 63_750, 93_750]);
    expect(h.actions.eventsOf('crash-loop')).toHaveLength(1);
    expect(h.sup.status('api', 1)?.state).toBe('crashloop');
  });

  it('leaves the crash loop once the replica stays up for 10s', async () => {
    const h = harness(project(service('api', { health: true })));
    let crashes = 5;
    h.actions.onRestarted = () => {
      if (--crashes > 0) h.exited('api', 1);
    };
    h.exited('api', 1);
    await h.clock.advance(3_750 + 30_000);
    expect(h.sup.status('api', 1)?.state).toBe('crashloop');
    // Running but not yet healthy: still shown as crashloop.
    h.health('api', 'healthy');
    await h.clock.advance(9_999);
    expect(h.sup.status('api', 1)?.state).toBe('crashloop');
    await h.clock.advance(1);
    expect(h.sup.status('api', 1)?.state).toBe('running');
    expect(h.actions.eventsOf('recovered')).toEqual([
      { type: 'recovered', service: 'api', replica: 1, wasCrashLoop: true },
    ]);
    // And starts afresh: the next failure waits the initial delay.
    h.exited('api', 1);
    expect(h.actions.eventsOf('restarting').at(-1)?.afterMs).toBe(250);
  });

  it('5 failures spread over 2 minutes are not a crash loop', async () => {
    const h = harness(project(service('api', { health: true })));
    // Up ~30s each time, never healthy (so nothing resets), restarted after the backoff.
    h.actions.onRestarted = () => void h.clock.sleep(29_000).then(() => h.exited('api', 1));
    h.exited('api', 1);
    await h.clock.advance(125_000);
    expect(h.actions.restarts.length).toBeGreaterThanOrEqual(4);
    expect(h.actions.eventsOf('crash-loop')).toHaveLength(0);
    expect(h.sup.status('api', 1)?.state).not.toBe('crashloop');
  });

  it('a stop by the user ends the retries of a crash-looping replica', async () => {
    const h = harness(project(service('api')));
    h.actions.onRestarted = () => h.exited('api', 1);
    h.exited('api', 1);
    await h.clock.advance(3_750);
    expect(h.sup.status('api', 1)?.state).toBe('crashloop');
    h.stoppedByUser('api');
    const before = h.actions.restarts.length;
    await h.clock.advance(120_000);
    expect(h.actions.restarts).toHaveLength(before);
    expect(h.sup.status('api', 1)?.state).toBe('exited');
  });
});
