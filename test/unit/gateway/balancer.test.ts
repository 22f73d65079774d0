import { describe, expect, it } from 'vitest';
import { Balancer, type Member } from '../../../src/core/gateway/index.js';

interface M extends Member {
  readonly name: string;
}
const m = (n: number): M => ({ key: `r${n}`, order: n, name: `r${n}`, inFlight: 0 });
const healthy = (...ms: M[]) => ms.map((member) => ({ member, healthy: true }));
const picks = (b: Balancer<M>, n: number) => Array.from({ length: n }, () => b.pick()?.name ?? '-');

/** Deterministic [0,1) source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('round robin', () => {
  const [a, b, c, d] = [m(1), m(2), m(3), m(4)] as [M, M, M, M];

  it('rotates strictly in replica order', () => {
    const bal = new Balancer<M>('round_robin');
    bal.update(healthy(c, a, b));
    expect(picks(bal, 7)).toEqual(['r1', 'r2', 'r3', 'r1', 'r2', 'r3', 'r1']);
  });

  it('stays fair when the set changes: resumes after the last pick', () => {
    const bal = new Balancer<M>('round_robin');
    bal.update(healthy(a, b, c));
    expect(picks(bal, 2)).toEqual(['r1', 'r2']);
    bal.update(healthy(a, b, c, d)); // scale up: r3 and then the new r4 get their turns
    expect(picks(bal, 5)).toEqual(['r3', 'r4', 'r1', 'r2', 'r3']);
    bal.update(healthy(a, b, d)); // r3 (just picked) goes: next is r4, nobody twice in a row
    expect(picks(bal, 3)).toEqual(['r4', 'r1', 'r2']);
  });

  it('only healthy members rotate; none → undefined', () => {
    const bal = new Balancer<M>('round_robin');
    bal.update([
      { member: a, healthy: true },
      { member: b, healthy: false },
      { member: c, healthy: true },
    ]);
    expect(picks(bal, 4)).toEqual(['r1', 'r3', 'r1', 'r3']);
    bal.update([{ member: a, healthy: false }]);
    expect(bal.pick()).toBeUndefined();
  });

  it('skips excluded members (retries) without breaking rotation', () => {
    const bal = new Balancer<M>('round_robin');
    bal.update(healthy(a, b, c));
    expect(bal.pick([a])?.name).toBe('r2');
    expect(bal.pick()?.name).toBe('r3');
    expect(bal.pick([a, b, c])).toBeUndefined();
  });
});

describe('least_conn', () => {
  it('picks the fewest in-flight, sharing ties in turn', () => {
    const [a, b, c] = [m(1), m(2), m(3)] as [M, M, M];
    const bal = new Balancer<M>('least_conn');
    bal.update(healthy(a, b, c));
    a.inFlight = 2;
    b.inFlight = 0;
    c.inFlight = 1;
    expect(bal.pick()?.name).toBe('r2');
    b.inFlight = 5;
    expect(bal.pick()?.name).toBe('r3');
    a.inFlight = b.inFlight = c.inFlight = 0;
    expect(picks(bal, 3).sort()).toEqual(['r1', 'r2', 'r3']);
  });
});

describe('random', () => {
  it('uses the injected source and covers every member', () => {
    const members = [m(1), m(2), m(3)];
    const run = () => {
      const bal = new Balancer<M>('random', seeded(42));
      bal.update(healthy(...members));
      return picks(bal, 300);
    };
    const first = run();
    expect(run()).toEqual(first);
    for (const name of ['r1', 'r2', 'r3']) {
      const n = first.filter((x) => x === name).length;
      expect(n).toBeGreaterThan(60);
    }
  });

  it('honours exclusions', () => {
    const bal = new Balancer<M>('random', () => 0);
    const [a, b] = [m(1), m(2)] as [M, M];
    bal.update(healthy(a, b));
    expect(bal.pick([a])?.name).toBe('r2');
  });
});

describe('passive ejection', () => {
  const policy = { baseMs: 1000, maxMs: 8000 };

  it('takes a member out at once and readmits it after its cooldown', () => {
    const [a, b] = [m(1), m(2)] as [M, M];
    const bal = new Balancer<M>('round_robin', Math.random, policy);
    bal.update(healthy(a, b));
    expect(bal.eject('r1', 0)).toBe(1000);
    expect(picks(bal, 3)).toEqual(['r2', 'r2', 'r2']);
    expect(bal.readmitDue(999)).toBe(1000);
    expect(bal.isEjected('r1')).toBe(true);
    expect(bal.readmitDue(1000)).toBeUndefined();
    expect(picks(bal, 2).sort()).toEqual(['r1', 'r2']);
  });

  it('doubles the cooldown per consecutive ejection; a success resets it', () => {
    const bal = new Balancer<M>('round_robin', Math.random, policy);
    bal.update(healthy(m(1)));
    expect(bal.eject('r1', 0)).toBe(1000);
    expect(bal.eject('r1', 0)).toBe(2000);
    expect(bal.eject('r1', 0)).toBe(4000);
    expect(bal.eject('r1', 0)).toBe(8000);
    expect(bal.eject('r1', 0)).toBe(8000);
    bal.succeeded('r1');
    expect(bal.eject('r1', 0)).toBe(1000);
  });

  it('a repeated "healthy" report does not readmit; unhealthy then healthy does', () => {
    const a = m(1);
    const bal = new Balancer<M>('round_robin', Math.random, policy);
    bal.update(healthy(a));
    bal.eject('r1', 0);
    bal.update(healthy(a));
    expect(bal.pick()).toBeUndefined();
    bal.update([{ member: a, healthy: false }]);
    expect(bal.pick()).toBeUndefined();
    bal.update(healthy(a));
    expect(bal.pick()?.name).toBe('r1');
  });
});
