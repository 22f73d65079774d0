import type { BalanceStrategy } from '../../model/project.js';

/** What a balancer needs of an upstream; the gateway's upstream objects carry more. */
export interface Member {
  /** Stable identity across updates (replica id and container port). */
  readonly key: string;
  /** Rotation order: the replica number (ties broken by key). */
  readonly order: number;
  /** Requests sent and not yet finished, kept by the proxy; read by least_conn. */
  inFlight: number;
}

/** Returns a number in [0, 1), like Math.random; injectable for deterministic tests. */
export type RandomSource = () => number;

export interface Candidate<M extends Member> {
  readonly member: M;
  readonly healthy: boolean;
}

export interface EjectionPolicy {
  /** Cooldown of a first ejection; doubles per further ejection without a success in between. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_EJECTION: EjectionPolicy = { baseMs: 1_000, maxMs: 30_000 };

interface Ejection {
  until: number;
}

function byOrder(a: Member, b: Member): number {
  return a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * One route's choice among its upstreams.
 *
 * In rotation: members reported healthy and not ejected.
 *
 * Passive ejection (`eject`): the member leaves rotation at once. It comes back at the first of:
 * - the health source sees it fail and pass again: an `update` reporting it unhealthy (or absent)
 *   clears the ejection, so the next `update` reporting it healthy puts it back. An update that
 *   merely repeats "healthy" does not: the probe may not have run since the failure.
 * - its cooldown ends (`readmitDue`): `baseMs`, doubled per consecutive ejection up to `maxMs`.
 *   This is a half-open retry, so a replica ejected by a blip whose health never flipped is not
 *   lost for good; a failure ejects it again for longer, a success (`succeeded`) resets the count.
 *
 * round_robin is strict: one pass over the members in replica order, then again. When the set
 * changes, rotation resumes with the first member after the last one picked, so nobody is
 * skipped or served twice in a row because of a scale or health change.
 */
export class Balancer<M extends Member> {
  private members: M[] = [];
  private candidates: readonly Candidate<M>[] = [];
  private next = 0;
  private last: M | undefined;
  private readonly ejected = new Map<string, Ejection>();
  private readonly strikes = new Map<string, number>();
  /** Kept out by a circuit breaker (open, or half-open with its probe in flight). */
  private readonly blocked = new Set<string>();

  constructor(
    readonly strategy: BalanceStrategy,
    private readonly random: RandomSource = Math.random,
    private readonly policy: EjectionPolicy = DEFAULT_EJECTION,
  ) {}

  /** Members currently in rotation, in rotation order. */
  get active(): readonly M[] {
    return this.members;
  }

  isEjected(key: string): boolean {
    return this.ejected.has(key);
  }

  /** The full current set with health; replaces the previous one. */
  update(candidates: readonly Candidate<M>[]): void {
    const present = new Set<string>();
    for (const c of candidates) {
      present.add(c.member.key);
      if (!c.healthy) this.ejected.delete(c.member.key);
    }
    for (const key of this.ejected.keys()) if (!present.has(key)) this.ejected.delete(key);
    for (const key of this.strikes.keys()) if (!present.has(key)) this.strikes.delete(key);
    for (const key of this.blocked) if (!present.has(key)) this.blocked.delete(key);
    this.candidates = candidates;
    this.rebuild();
  }

  /** Takes the member out of rotation; returns when its cooldown ends. */
  eject(key: string, now: number): number {
    const strikes = (this.strikes.get(key) ?? 0) + 1;
    this.strikes.set(key, strikes);
    const cooldown = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(strikes - 1, 30));
    const until = now + cooldown;
    this.ejected.set(key, { until });
    this.rebuild();
    return until;
  }

  /** Keeps the member out of rotation (a circuit breaker's say), or lets it back. */
  block(key: string, blocked: boolean): void {
    if (blocked === this.blocked.has(key)) return;
    if (blocked) this.blocked.add(key);
    else this.blocked.delete(key);
    this.rebuild();
  }

  /** A response came back from the member: its next ejection starts from the base cooldown. */
  succeeded(key: string): void {
    if (this.strikes.size !== 0) this.strikes.delete(key);
  }

  /** Puts back members whose cooldown ended; returns the next cooldown end, if any. */
  readmitDue(now: number): number | undefined {
    let changed = false;
    let next: number | undefined;
    for (const [key, e] of this.ejected) {
      if (e.until <= now) {
        this.ejected.delete(key);
        changed = true;
      } else if (next === undefined || e.until < next) next = e.until;
    }
    if (changed) this.rebuild();
    return next;
  }

  /** The member for the next request, skipping `exclude` (members already tried for it). */
  pick(exclude?: readonly M[]): M | undefined {
    const n = this.members.length;
    if (n === 0) return undefined;
    switch (this.strategy) {
      // Within one service of a weighted route, replicas take turns.
      case 'weighted':
      case 'round_robin':
        return this.pickRoundRobin(n, exclude);
      case 'least_conn':
        return this.pickLeastConn(n, exclude);
      case 'random':
        return this.pickRandom(n, exclude);
      default: {
        const never: never = this.strategy;
        throw new Error(`unknown balance strategy ${String(never)}`);
      }
    }
  }

  private pickRoundRobin(n: number, exclude: readonly M[] | undefined): M | undefined {
    for (let i = 0; i < n; i++) {
      const idx = (this.next + i) % n;
      const m = this.members[idx];
      if (m !== undefined && (exclude === undefined || !exclude.includes(m))) {
        this.next = (idx + 1) % n;
        this.last = m;
        return m;
      }
    }
    return undefined;
  }

  private pickLeastConn(n: number, exclude: readonly M[] | undefined): M | undefined {
    // Scan from the rotation cursor so that equal loads are shared in turn, not always to the first.
    let best: M | undefined;
    let bestIdx = 0;
    for (let i = 0; i < n; i++) {
      const idx = (this.next + i) % n;
      const m = this.members[idx];
      if (m === undefined || (exclude !== undefined && exclude.includes(m))) continue;
      if (best === undefined || m.inFlight < best.inFlight) {
        best = m;
        bestIdx = idx;
      }
    }
    if (best !== undefined) {
      this.next = (bestIdx + 1) % n;
      this.last = best;
    }
    return best;
  }

  private pickRandom(n: number, exclude: readonly M[] | undefined): M | undefined {
    const start = Math.min(n - 1, Math.floor(this.random() * n));
    for (let i = 0; i < n; i++) {
      const m = this.members[(start + i) % n];
      if (m !== undefined && (exclude === undefined || !exclude.includes(m))) {
        this.last = m;
        return m;
      }
    }
    return undefined;
  }

  private rebuild(): void {
    const members: M[] = [];
    for (const c of this.candidates) {
      const key = c.member.key;
      if (c.healthy && !this.ejected.has(key) && !this.blocked.has(key)) members.push(c.member);
    }
    members.sort(byOrder);
    this.members = members;
    const last = this.last;
    if (last === undefined || members.length === 0) {
      this.next = 0;
      return;
    }
    // Resume after the last member picked, whether or not it is still in rotation.
    const after = members.findIndex((m) => byOrder(m, last) > 0);
    this.next = after < 0 ? 0 : after;
  }
}
