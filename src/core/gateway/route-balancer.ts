import type { BalanceStrategy, RouteBackend } from '../../model/project.js';
import { Balancer, type Candidate, type EjectionPolicy, type Member, type RandomSource } from './balancer.js';
import { SmoothWeighted } from './swrr.js';

const hasActive = (b: Balancer<Member>): boolean => b.active.length > 0;

/** What a route needs to choose its upstreams. */
export interface RouteShape {
  readonly service: string;
  readonly services?: readonly RouteBackend[];
  readonly balance: BalanceStrategy;
}

/**
 * A route's choice of upstream. One service: its balancer. A weighted route: smooth weighted
 * round robin over its services, then round robin over the chosen service's replicas in
 * rotation; a service with none drops out of the split until it has one again.
 */
export class RouteBalancer<M extends Member> {
  private readonly byService = new Map<string, Balancer<M>>();
  /** Which service each member belongs to, for ejections and breakers that name a key. */
  private readonly serviceOf = new Map<string, string>();
  private readonly single: Balancer<M> | undefined;
  private readonly split: SmoothWeighted<Balancer<M>> | undefined;

  constructor(route: RouteShape, random: RandomSource, policy: EjectionPolicy) {
    if (route.services === undefined) {
      this.single = new Balancer<M>(route.balance, random, policy);
      this.byService.set(route.service, this.single);
      return;
    }
    const entries = route.services.map((b) => {
      const balancer = new Balancer<M>('weighted', random, policy);
      this.byService.set(b.service, balancer);
      return { item: balancer, weight: b.weight };
    });
    this.split = new SmoothWeighted(entries);
  }

  /** The full current set of one service's members; replaces its previous one. */
  update(service: string, candidates: readonly Candidate<M>[]): void {
    const b = this.byService.get(service);
    if (b === undefined) return;
    for (const [key, s] of this.serviceOf) if (s === service) this.serviceOf.delete(key);
    for (const c of candidates) this.serviceOf.set(c.member.key, service);
    b.update(candidates);
  }

  pick(exclude?: readonly M[]): M | undefined {
    if (this.single !== undefined) return this.single.pick(exclude);
    const split = this.split as SmoothWeighted<Balancer<M>>;
    // The first try (every request) uses a shared predicate: no closure per request.
    const usable =
      exclude === undefined
        ? hasActive
        : (b: Balancer<M>): boolean => b.active.some((m) => !exclude.includes(m));
    return split.pick(usable)?.pick(exclude);
  }

  isEjected(key: string): boolean {
    return this.balancerOf(key)?.isEjected(key) ?? false;
  }

  eject(key: string, now: number): number {
    return this.balancerOf(key)?.eject(key, now) ?? now;
  }

  succeeded(key: string): void {
    this.balancerOf(key)?.succeeded(key);
  }

  block(key: string, blocked: boolean): void {
    this.balancerOf(key)?.block(key, blocked);
  }

  readmitDue(now: number): number | undefined {
    let next: number | undefined;
    for (const b of this.byService.values()) {
      const n = b.readmitDue(now);
      if (n !== undefined && (next === undefined || n < next)) next = n;
    }
    return next;
  }

  private balancerOf(key: string): Balancer<M> | undefined {
    if (this.single !== undefined) return this.single;
    const service = this.serviceOf.get(key);
    return service === undefined ? undefined : this.byService.get(service);
  }
}
