import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  CircuitBreaker,
  compileRoutes,
  isRetryable,
  Membership,
  RetryBudget,
  RouteBalancer,
  SmoothWeighted,
  type BreakerChange,
  type Member,
} from '../../../src/core/gateway/index.js';
import { FakeClock } from '../../fakes/clock.js';

/** The longest run of one value in a sequence. */
function longestRun<T>(xs: readonly T[], value: T): number {
  let best = 0;
  let run = 0;
  for (const x of xs) {
    run = x === value ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

describe('smooth weighted round robin', () => {
  it("interleaves like nginx's: 5,1,1 → a a b a c a a", () => {
    const w = new SmoothWeighted([
      { item: 'a', weight: 5 },
      { item: 'b', weight: 1 },
      { item: 'c', weight: 1 },
    ]);
    expect(Array.from({ length: 14 }, () => w.pick())).toEqual([
      ...['a', 'a', 'b', 'a', 'c', 'a', 'a'],
      ...['a', 'a', 'b', 'a', 'c', 'a', 'a'],
    ]);
  });

  it('gives exactly 90/10 over any multiple of 100 picks, the 10 never twice in a row', () => {
    const w = new SmoothWeighted([
      { item: 'api', weight: 90 },
      { item: 'next', weight: 10 },
    ]);
    const seq = Array.from({ length: 10_000 }, () => w.pick());
    expect(seq.filter((s) => s === 'next')).toHaveLength(1_000);
    for (let i = 0; i < 10_000; i += 100)
      expect(seq.slice(i, i + 100).filter((s) => s === 'next')).toHaveLength(10);
    expect(longestRun(seq, 'next')).toBe(1);
    // No burst of the big one either: at most 9 in a row between two of the small one's turns.
    expect(longestRun(seq, 'api')).toBeLessThanOrEqual(9);
  });

  it('3:2:1 splits exactly over 600 picks and never bursts', () => {
    const w = new SmoothWeighted([
      { item: 'x', weight: 3 },
      { item: 'y', weight: 2 },
      { item: 'z', weight: 1 },
    ]);
    const seq = Array.from({ length: 600 }, () => w.pick());
    expect(seq.filter((s) => s === 'x')).toHaveLength(300);
    expect(seq.filter((s) => s === 'y')).toHaveLength(200);
    expect(seq.filter((s) => s === 'z')).toHaveLength(100);
    expect(longestRun(seq, 'x')).toBeLessThanOrEqual(2);
    expect(longestRun(seq, 'y')).toBe(1);
  });

  it('skips an entry that is not eligible; the others share everything', () => {
    const w = new SmoothWeighted([
      { item: 'a', weight: 9 },
      { item: 'b', weight: 1 },
    ]);
    const seq = Array.from({ length: 50 }, () => w.pick((s) => s !== 'a'));
    expect(new Set(seq)).toEqual(new Set(['b']));
    expect(w.pick(() => false)).toBeUndefined();
  });
});

interface U extends Member {
  readonly name: string;
}
const u = (name: string, n: number): U => ({ key: name, order: n, name, inFlight: 0 });

describe('a weighted route', () => {
  const route = {
    service: 'api',
    balance: 'weighted' as const,
    services: [
      { service: 'api', weight: 3 },
      { service: 'next', weight: 1 },
    ],
  };

  it('splits by weight, then takes turns over the chosen service’s replicas', () => {
    const rb = new RouteBalancer<U>(route, Math.random, { baseMs: 1000, maxMs: 1000 });
    const [a1, a2, n1] = [u('api-1', 1), u('api-2', 2), u('next-1', 1)];
    rb.update('api', [
      { member: a1, healthy: true },
      { member: a2, healthy: true },
    ]);
    rb.update('next', [{ member: n1, healthy: true }]);
    const seq = Array.from({ length: 8 }, () => rb.pick()?.name);
    expect(seq).toEqual(['api-1', 'api-2', 'next-1', 'api-1', 'api-2', 'api-1', 'next-1', 'api-2']);
  });

  it('a service with no replica in rotation drops out of the split until it has one', () => {
    const rb = new RouteBalancer<U>(route, Math.random, { baseMs: 1000, maxMs: 1000 });
    const [a1, n1] = [u('api-1', 1), u('next-1', 1)];
    rb.update('api', [{ member: a1, healthy: true }]);
    rb.update('next', [{ member: n1, healthy: false }]);
    expect(Array.from({ length: 4 }, () => rb.pick()?.name)).toEqual(['api-1', 'api-1', 'api-1', 'api-1']);
    rb.update('next', [{ member: n1, healthy: true }]);
    const seq = Array.from({ length: 400 }, () => rb.pick()?.name);
    expect(seq.filter((s) => s === 'next-1')).toHaveLength(100);
    // Blocked by a breaker: out of the split too; with every service out, nothing.
    rb.block('api-1', true);
    expect(Array.from({ length: 3 }, () => rb.pick()?.name)).toEqual(['next-1', 'next-1', 'next-1']);
    rb.block('next-1', true);
    expect(rb.pick()).toBeUndefined();
  });

  it('a retry excluding the tried replica goes to the other service when its own has no other', () => {
    const rb = new RouteBalancer<U>(route, Math.random, { baseMs: 1000, maxMs: 1000 });
    const [a1, n1] = [u('api-1', 1), u('next-1', 1)];
    rb.update('api', [{ member: a1, healthy: true }]);
    rb.update('next', [{ member: n1, healthy: true }]);
    expect(rb.pick([a1])?.name).toBe('next-1');
    expect(rb.pick([a1, n1])).toBeUndefined();
  });
});

describe('circuit breaker', () => {
  const policy = { consecutiveFailures: 3, openForMs: 10_000 };

  it('opens after N consecutive failures, half-opens after open_for, one probe closes it', async () => {
    const clock = new FakeClock(1_000);
    const b = new CircuitBreaker(policy);
    expect(b.record(false, false, clock.now())).toBeUndefined();
    expect(b.record(false, false, clock.now())).toBeUndefined();
    expect(b.record(false, false, clock.now())).toBe('open');
    expect(b.admits).toBe(false);
    expect(b.reopensAt).toBe(11_000);
    await clock.advance(9_999);
    expect(b.due(clock.now())).toBeUndefined();
    await clock.advance(1);
    expect(b.due(clock.now())).toBe('half-open');
    expect(b.admits).toBe(true);
    expect(b.sent()).toBe(true); // the probe
    expect(b.admits).toBe(false); // exactly one
    expect(b.sent()).toBe(false);
    expect(b.record(true, true, clock.now())).toBe('closed');
    expect(b.admits).toBe(true);
  });

  it('a success in between resets the count', () => {
    const b = new CircuitBreaker(policy);
    b.record(false, false, 0);
    b.record(false, false, 0);
    b.record(true, false, 0);
    b.record(false, false, 0);
    expect(b.record(false, false, 0)).toBeUndefined();
    expect(b.record(false, false, 0)).toBe('open');
  });

  it('a failed probe re-opens it for another open_for', async () => {
    const clock = new FakeClock(0);
    const b = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) b.record(false, false, clock.now());
    await clock.advance(10_000);
    expect(b.due(clock.now())).toBe('half-open');
    const probe = b.sent();
    await clock.advance(300);
    expect(b.record(false, probe, clock.now())).toBe('open');
    expect(b.reopensAt).toBe(20_300);
    await clock.advance(9_999);
    expect(b.due(clock.now())).toBeUndefined();
    await clock.advance(1);
    expect(b.due(clock.now())).toBe('half-open');
  });

  it('only the probe decides: late outcomes of older requests are ignored', () => {
    const b = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) b.record(false, false, 0);
    expect(b.record(true, false, 5)).toBeUndefined(); // sent before it opened
    expect(b.state).toBe('open');
    b.due(10_000);
    const probe = b.sent();
    expect(b.record(false, false, 10_001)).toBeUndefined(); // not the probe
    expect(b.state).toBe('half-open');
    b.abandoned(probe); // the probe's client left: another request may probe
    expect(b.admits).toBe(true);
    expect(b.sent()).toBe(true);
  });
});

describe('circuit breaker, error-rate form', () => {
  const policy = { consecutiveFailures: 100, openForMs: 1_000, errorRate: 0.5, minRequests: 10 };

  it('opens when half of at least 10 outcomes in the last 10 s failed', async () => {
    const clock = new FakeClock(0);
    const b = new CircuitBreaker(policy);
    // Alternating: never many failures in a row, but 50% of them.
    for (let i = 0; i < 8; i++) expect(b.record(i % 2 === 0, false, clock.now())).toBeUndefined();
    expect(b.record(true, false, clock.now())).toBeUndefined(); // 9 outcomes, 4 failed
    expect(b.record(false, false, clock.now())).toBe('open'); // 10 outcomes, 5 failed
  });

  it('forgets outcomes older than the window, and starts afresh once closed', async () => {
    const clock = new FakeClock(0);
    const b = new CircuitBreaker(policy);
    for (let i = 0; i < 9; i++) b.record(false, false, clock.now());
    for (let i = 0; i < 9; i++) b.record(true, false, clock.now());
    await clock.advance(10_000);
    // The 9 failures have left the window: 1 failure in 10 is not 50%.
    for (let i = 0; i < 9; i++) b.record(true, false, clock.now());
    expect(b.record(false, false, clock.now())).toBeUndefined();
    expect(b.state).toBe('closed');
  });
});

describe('retry budget', () => {
  it('allows the floor, then ratio × requests over the last 10 s', async () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget(0.2, () => clock.now(), 10);
    for (let i = 0; i < 100; i++) budget.request();
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(30); // 10 + 20% of 100
    // More requests earn more retries: 5 more requests → one more retry.
    for (let i = 0; i < 5; i++) budget.request();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it('slides: what happened more than 10 s ago no longer counts', async () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget(0.2, () => clock.now(), 10);
    for (let i = 0; i < 10; i++) expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(9_000);
    expect(budget.tryRetry()).toBe(false); // still inside the window
    await clock.advance(1_000);
    // The first second's retries have left the window.
    for (let i = 0; i < 10; i++) expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it('caps amplification under a total outage: retries ≤ 20% of requests + floor', async () => {
    const clock = new FakeClock(0);
    const budget = new RetryBudget(0.2, () => clock.now(), 10);
    let requests = 0;
    let retries = 0;
    // 60 s of 200 requests/s, every one failing and wanting 2 retries.
    for (let ms = 0; ms < 60_000; ms += 5) {
      budget.request();
      requests++;
      for (let r = 0; r < 2 && budget.tryRetry(); r++) retries++;
      await clock.advance(5);
    }
    expect(retries / requests).toBeLessThan(0.2 + 10 / 2_000 + 0.01);
    expect(retries / requests).toBeGreaterThan(0.18);
  });
});

describe('retry decisions', () => {
  it('a connection never made is retried for any method', () => {
    expect(isRetryable({ kind: 'connect' }, 'POST', true)).toBe(true);
  });

  it('after sending: idempotent methods without a body only', () => {
    for (const f of [{ kind: 'reset' }, { kind: 'timeout' }] as const) {
      expect(isRetryable(f, 'GET', false)).toBe(true);
      expect(isRetryable(f, 'PUT', false)).toBe(true);
      expect(isRetryable(f, 'POST', false)).toBe(false);
      expect(isRetryable(f, 'PUT', true)).toBe(false);
    }
  });

  it('statuses: 502, 503, 504 only', () => {
    for (const status of [502, 503, 504])
      expect(isRetryable({ kind: 'status', status }, 'GET', false)).toBe(true);
    for (const status of [500, 501, 429, 404])
      expect(isRetryable({ kind: 'status', status }, 'GET', false)).toBe(false);
    expect(isRetryable({ kind: 'status', status: 503 }, 'POST', false)).toBe(false);
  });

  it('backoff is jittered between half and all of a cap that doubles from 25 ms to 250 ms', () => {
    expect(backoffMs(1, () => 0)).toBe(13);
    expect(backoffMs(1, () => 0.999)).toBe(25);
    expect(backoffMs(2, () => 0.5)).toBe(38);
    expect(backoffMs(4, () => 0)).toBe(100);
    expect(backoffMs(5, () => 0)).toBe(125);
    expect(backoffMs(9, () => 0.999)).toBe(250);
  });
});

describe('membership: breakers on a route, on the virtual clock', () => {
  const table = compileRoutes([
    {
      path: '/',
      service: 'api',
      port: 3000,
      stripPrefix: false,
      balance: 'round_robin',
      breaker: { consecutiveFailures: 2, openForMs: 5_000 },
      pos: { file: 'orch.yaml', line: 1, col: 1 },
    },
  ]);
  const replica = (n: number) => ({
    id: `c${n}`,
    name: `api-${n}`,
    service: 'api',
    replica: n,
    healthy: true,
    ports: [{ containerPort: 3000, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 4000 + n }],
  });

  it('open → skipped by the balancer → half-open after open_for → one probe → closed, each an event', async () => {
    const clock = new FakeClock(0);
    const changes: BreakerChange[] = [];
    const m = new Membership(table, { now: () => clock.now(), onBreaker: (c) => changes.push(c) });
    m.setReplicas('api', [replica(1), replica(2)]);
    const rs = m.routes[0]!;
    const first = rs.balancer.pick()!;
    expect(first.name).toBe('api-1');
    expect(m.outcome(rs, first, false, m.sent(rs, first))).toBeUndefined();
    expect(m.outcome(rs, first, false, m.sent(rs, first))).toBe(5_000);
    expect(changes).toEqual([{ route: '/', service: 'api', replica: 1, state: 'open' }]);
    // Open: only api-2 is picked.
    expect(Array.from({ length: 4 }, () => rs.balancer.pick()?.name)).toEqual([
      'api-2',
      'api-2',
      'api-2',
      'api-2',
    ]);
    // A health update does not bring it back early.
    m.setReplicas('api', [replica(1), replica(2)]);
    expect(rs.balancer.pick()?.name).toBe('api-2');
    await clock.advance(4_999);
    expect(m.readmitDue(clock.now())).toBe(5_000);
    await clock.advance(1);
    expect(m.readmitDue(clock.now())).toBeUndefined();
    expect(changes.at(-1)?.state).toBe('half-open');
    // Half-open: api-1 is back for exactly one request.
    const picks = Array.from({ length: 2 }, () => rs.balancer.pick()!);
    const probe = picks.find((u) => u.name === 'api-1')!;
    expect(m.sent(rs, probe)).toBe(true);
    expect(Array.from({ length: 3 }, () => rs.balancer.pick()?.name)).toEqual(['api-2', 'api-2', 'api-2']);
    m.outcome(rs, probe, true, true);
    expect(changes.map((c) => c.state)).toEqual(['open', 'half-open', 'closed']);
    expect(new Set(Array.from({ length: 4 }, () => rs.balancer.pick()?.name))).toEqual(
      new Set(['api-1', 'api-2']),
    );
    expect(m.stats().routes[0]?.replicas.map((r) => r.breaker)).toEqual(['closed', 'closed']);
  });

  it('a failed probe re-opens it; an abandoned probe lets the next request probe', async () => {
    const clock = new FakeClock(0);
    const changes: BreakerChange[] = [];
    const m = new Membership(table, { now: () => clock.now(), onBreaker: (c) => changes.push(c) });
    m.setReplicas('api', [replica(1)]);
    const rs = m.routes[0]!;
    const u = rs.balancer.pick()!;
    m.outcome(rs, u, false, m.sent(rs, u));
    m.outcome(rs, u, false, m.sent(rs, u));
    expect(rs.balancer.pick()).toBeUndefined();
    await clock.advance(5_000);
    m.readmitDue(clock.now());
    const probe = m.sent(rs, rs.balancer.pick()!);
    expect(rs.balancer.pick()).toBeUndefined();
    m.abandoned(rs, u, probe);
    expect(rs.balancer.pick()?.name).toBe('api-1');
    expect(m.sent(rs, u)).toBe(true);
    await clock.advance(100);
    expect(m.outcome(rs, u, false, true)).toBe(10_100);
    expect(changes.map((c) => c.state)).toEqual(['open', 'half-open', 'open']);
    expect(m.stats().routes[0]?.replicas[0]?.breaker).toBe('open');
  });
});
