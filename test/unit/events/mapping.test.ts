import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { replicaFact } from '../../../src/core/reconciler/facts.js';
import { GatewayWatch } from '../../../src/core/reconciler/gateway-events.js';
import type { ReplicaState } from '../../../src/core/engine/replica-tracker.js';
import { ProbeHistory } from '../../../src/core/probes/index.js';
import type { GatewayReplica } from '../../../src/core/gateway/membership.js';
import type { GatewayRoute } from '../../../src/model/project.js';
import type { OrchEvent } from '../../../src/model/events.js';
import { eventLine, narrateEvent } from '../../../src/ui/event-view.js';

const plain = new Chalk({ level: 0 });

function replica(over: Partial<ReplicaState> = {}): ReplicaState {
  const snapshot = {
    id: 'c1',
    name: 'shop-api-2',
    image: 'busybox',
    labels: {},
    state: 'running' as const,
    exitCode: null,
    health: 'none' as const,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:01.000Z',
    finishedAt: null,
    ports: [],
    runtime: 'container' as const,
  };
  return {
    id: 'c1',
    runtime: 'container',
    service: 'api',
    replica: 2,
    name: 'shop-api-2',
    state: 'running',
    exitCode: null,
    dockerHealth: 'none',
    probeHistory: new ProbeHistory(),
    snapshot,
    ...over,
  };
}

describe('replicaFact: the tracker’s changes as events', () => {
  it('maps start, exit, stop, removal', () => {
    const r = replica();
    expect(replicaFact(r, { kind: 'started' }, 'none')).toEqual({
      type: 'started',
      service: 'api',
      replica: 2,
      container: 'shop-api-2',
    });
    expect(replicaFact(r, { kind: 'exited', exitCode: 137 }, 'none')).toEqual({
      type: 'died',
      service: 'api',
      replica: 2,
      exitCode: 137,
    });
    expect(replicaFact(r, { kind: 'stopped' }, 'none')?.type).toBe('stopped');
    expect(replicaFact(r, { kind: 'removed' }, 'none')?.type).toBe('removed');
  });

  it('reports healthy, and unhealthy with the failing source’s output; a return to starting is no news', () => {
    expect(replicaFact(replica(), { kind: 'health', health: 'healthy' }, 'healthy')).toEqual({
      type: 'healthy',
      service: 'api',
      replica: 2,
    });
    const docker = replica({ dockerHealth: 'unhealthy', dockerHealthOutput: 'curl: (7) refused' });
    expect(replicaFact(docker, { kind: 'health', health: 'unhealthy' }, 'unhealthy')).toEqual({
      type: 'unhealthy',
      service: 'api',
      replica: 2,
      output: 'curl: (7) refused',
    });
    const history = new ProbeHistory();
    history.record({ ok: false, detail: 'GET /health → 503', at: 1 }, 'unhealthy');
    const probed = replica({ probe: 'unhealthy', probeHistory: history, dockerHealthOutput: 'stale' });
    expect(replicaFact(probed, { kind: 'health', health: 'unhealthy' }, 'unhealthy')).toMatchObject({
      output: 'GET /health → 503',
    });
    expect(replicaFact(replica(), { kind: 'health', health: 'starting' }, 'starting')).toBeUndefined();
  });
});

describe('GatewayWatch: membership changes as gateway-in / gateway-out', () => {
  const route = { service: 'api', port: 3000 } as GatewayRoute;
  const rep = (n: number, healthy: boolean, hostPort = 40000 + n): GatewayReplica => ({
    id: `c${n}`,
    name: `shop-api-${n}`,
    service: 'api',
    replica: n,
    healthy,
    ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '0.0.0.0', hostPort }],
  });

  it('says in when a replica starts taking traffic, out when it stops, nothing when nothing moved', () => {
    const w = new GatewayWatch();
    expect(w.update('api', [rep(1, false), rep(2, true)], [route])).toEqual([
      { type: 'gateway-in', service: 'api', replica: 2, address: '127.0.0.1:40002' },
    ]);
    expect(w.update('api', [rep(1, false), rep(2, true)], [route])).toEqual([]);
    expect(w.update('api', [rep(1, true), rep(2, false)], [route])).toEqual([
      { type: 'gateway-out', service: 'api', replica: 2, address: '127.0.0.1:40002' },
      { type: 'gateway-in', service: 'api', replica: 1, address: '127.0.0.1:40001' },
    ]);
  });

  it('treats a new address (a recreated replica) as out then in, and ignores unrouted ports', () => {
    const w = new GatewayWatch();
    w.update('api', [rep(1, true)], [route]);
    expect(w.update('api', [rep(1, true, 41000)], [route]).map((e) => `${e.type} ${e.address}`)).toEqual([
      'gateway-out 127.0.0.1:40001',
      'gateway-in 127.0.0.1:41000',
    ]);
    expect(w.update('api', [rep(1, true)], [{ ...route, port: 8080 }])).toEqual([
      { type: 'gateway-out', service: 'api', replica: 1, address: '127.0.0.1:41000' },
    ]);
  });
});

describe('event views', () => {
  const died: OrchEvent = {
    time: '2026-01-02T03:04:05.007Z',
    type: 'died',
    service: 'api',
    replica: 2,
    exitCode: 137,
  };

  it('prints `orch events` lines as TIME TYPE SERVICE-REPLICA key=value, quoting only when needed', () => {
    expect(eventLine(died, plain)).toBe('2026-01-02T03:04:05.007Z died api-2 exitCode=137');
    expect(
      eventLine(
        {
          time: '2026-01-02T03:04:05.007Z',
          type: 'restarting',
          service: 'api',
          replica: 2,
          afterMs: 500,
          reason: 'exited with code 137',
        },
        plain,
      ),
    ).toBe('2026-01-02T03:04:05.007Z restarting api-2 afterMs=500 reason="exited with code 137"');
    expect(eventLine({ time: died.time, type: 'scaled', service: 'api', from: 1, to: 3 }, plain)).toBe(
      '2026-01-02T03:04:05.007Z scaled api from=1 to=3',
    );
    expect(
      eventLine({ time: died.time, type: 'watch', phase: 'error', message: 'too many files' }, plain),
    ).toBe('2026-01-02T03:04:05.007Z watch - phase=error message="too many files"');
  });

  it('narrates the supervisor’s decisions in the foreground and leaves plain facts to the log stream', () => {
    expect(narrateEvent(died, plain)).toBeUndefined();
    expect(
      narrateEvent(
        { type: 'restarting', service: 'api', replica: 2, afterMs: 1500, reason: 'exited with code 1' },
        plain,
      ),
    ).toBe('orch: api-2 exited with code 1; restarting in 1.5s');
    expect(
      narrateEvent(
        { type: 'rollout', cause: 'restart', phase: 'stopping', service: 'api', replica: 1 },
        plain,
      ),
    ).toBe('orch: api-1 restarting');
    expect(
      narrateEvent(
        { type: 'rollout', cause: 'update', phase: 'stopping', service: 'api', replica: 1 },
        plain,
      ),
    ).toBeUndefined();
  });

  it('narrates autoscale decisions, and prints them as one events line with from, to and reason', () => {
    const body = {
      type: 'autoscale',
      service: 'api',
      from: 1,
      to: 3,
      metric: 'inflight_per_replica',
      value: 12,
      target: 2,
      reason: 'inflight_per_replica 12 vs target 2 (above by more than 10%)',
    } as const;
    expect(narrateEvent(body, plain)).toBe(
      'orch: api autoscale 1 → 3: inflight_per_replica 12 vs target 2 (above by more than 10%)',
    );
    expect(narrateEvent({ ...body, to: 1, value: null, reason: 'holding at 1: no figures' }, plain)).toBe(
      'orch: api autoscale: holding at 1: no figures',
    );
    expect(eventLine({ time: '2026-01-01T00:00:00.000Z', ...body }, plain)).toBe(
      '2026-01-01T00:00:00.000Z autoscale api from=1 to=3 metric=inflight_per_replica value=12 target=2 reason="inflight_per_replica 12 vs target 2 (above by more than 10%)"',
    );
  });
});
