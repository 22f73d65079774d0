import type { PublishedPort } from '../ports.js';
import { DEFAULT_EJECTION, type EjectionPolicy, type Member, type RandomSource } from './balancer.js';
import { CircuitBreaker, type BreakerState } from './breaker.js';
import { RetryBudget } from './budget.js';
import { RouteBalancer } from './route-balancer.js';
import type { CompiledRoute, RouteTable } from './routes.js';
import {
  LatencyHistogram,
  RequestStats,
  type GatewayStats,
  type RouteStats,
  type ServiceLoad,
} from './stats.js';

/** One replica as the engine reports it to the gateway. */
export interface GatewayReplica {
  /** Container id. */
  readonly id: string;
  /** Container name. */
  readonly name: string;
  readonly service: string;
  readonly replica: number;
  /** Healthy, or running when the service has no health source: the engine decides. */
  readonly healthy: boolean;
  readonly ports: readonly PublishedPort[];
}

/** One replica of one route: where to send, and what happened there. */
export interface Upstream extends Member {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly replica: number;
  host: string;
  port: number;
  /** `http://host:port`, the connection pool's key. */
  origin: string;
  healthy: boolean;
  readonly stats: RequestStats;
  /** Present when the route has a `breaker`. */
  readonly breaker: CircuitBreaker | undefined;
}

export interface RouteState {
  readonly route: CompiledRoute;
  readonly balancer: RouteBalancer<Upstream>;
  /** Every service's upstreams, by key. */
  readonly upstreams: Map<string, Upstream>;
  readonly stats: RequestStats;
  /** Present when the route has `retries`. */
  readonly budget: RetryBudget | undefined;
  /** Retries made on this route. */
  retries: number;
}

/** A circuit breaker changed state: the `breaker` event's facts. */
export interface BreakerChange {
  readonly route: string;
  readonly service: string;
  readonly replica: number;
  readonly state: BreakerState;
}

export interface MembershipOptions {
  readonly random?: RandomSource;
  readonly ejection?: EjectionPolicy;
  /** Wall-clock milliseconds (the injected Clock's), for breakers and retry budgets. */
  readonly now: () => number;
  readonly onBreaker?: (change: BreakerChange) => void;
}

/** Where a published port is reached from the host. */
export function hostAddress(p: PublishedPort): string {
  switch (p.hostIp) {
    case '':
    case '0.0.0.0':
      return '127.0.0.1';
    case '::':
      return '::1';
    default:
      return p.hostIp;
  }
}

function originOf(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * The replicas of every routed service, turned into each route's upstreams (the replica's
 * published port for the route's container port). Upstream objects live as long as the replica
 * does, so stats and in-flight counts survive health flips and address changes.
 */
export class Membership {
  readonly routes: readonly RouteState[];
  private readonly byService = new Map<string, RouteState[]>();
  private readonly now: () => number;
  private readonly onBreaker: ((change: BreakerChange) => void) | undefined;

  constructor(table: RouteTable, opts: MembershipOptions) {
    const random = opts.random ?? Math.random;
    const ejection = opts.ejection ?? DEFAULT_EJECTION;
    const now = opts.now;
    this.now = now;
    this.onBreaker = opts.onBreaker;
    this.routes = table.routes.map((route) => ({
      route,
      balancer: new RouteBalancer<Upstream>(
        {
          service: route.service,
          balance: route.balance,
          ...(route.weights ? { services: route.weights } : {}),
        },
        random,
        ejection,
      ),
      upstreams: new Map<string, Upstream>(),
      stats: new RequestStats(),
      budget: route.retries === undefined ? undefined : new RetryBudget(route.retries.budget, now),
      retries: 0,
    }));
    for (const rs of this.routes) {
      for (const service of rs.route.services) {
        const list = this.byService.get(service) ?? [];
        list.push(rs);
        this.byService.set(service, list);
      }
    }
  }

  state(route: CompiledRoute): RouteState {
    const rs = this.routes.find((r) => r.route === route);
    if (rs === undefined) throw new Error(`route ${route.label} is not in this table`);
    return rs;
  }

  /** Replaces the service's replicas; returns origins no route uses any more (their pools can close). */
  setReplicas(service: string, replicas: readonly GatewayReplica[]): string[] {
    const before = this.origins();
    for (const rs of this.byService.get(service) ?? []) {
      const seen = new Set<string>();
      const candidates: { member: Upstream; healthy: boolean }[] = [];
      for (const r of replicas) {
        const published = r.ports.find((p) => p.containerPort === rs.route.port && p.protocol === 'tcp');
        if (published === undefined) continue;
        const key = `${r.id}:${rs.route.port}`;
        const host = hostAddress(published);
        let u = rs.upstreams.get(key);
        if (u === undefined) {
          const policy = rs.route.breaker;
          u = {
            key,
            order: r.replica,
            id: r.id,
            name: r.name,
            service,
            replica: r.replica,
            host,
            port: published.hostPort,
            origin: originOf(host, published.hostPort),
            healthy: r.healthy,
            inFlight: 0,
            stats: new RequestStats(),
            breaker: policy === undefined ? undefined : new CircuitBreaker(policy),
          };
          rs.upstreams.set(key, u);
        } else {
          u.host = host;
          u.port = published.hostPort;
          u.origin = originOf(host, published.hostPort);
          u.healthy = r.healthy;
        }
        seen.add(key);
        candidates.push({ member: u, healthy: r.healthy });
      }
      for (const [key, u] of rs.upstreams)
        if (u.service === service && !seen.has(key)) rs.upstreams.delete(key);
      rs.balancer.update(service, candidates);
      // A breaker that is not closed keeps its replica out, whatever the health source says.
      for (const u of rs.upstreams.values())
        if (u.breaker !== undefined && !u.breaker.admits) rs.balancer.block(u.key, true);
    }
    const after = this.origins();
    return [...before].filter((o) => !after.has(o));
  }

  /**
   * Passive ejection after a refused or reset connection: out of every route that reaches the
   * same address. Returns when its cooldown ends (see Balancer for the rule).
   */
  eject(u: Upstream, now: number): number {
    let until = now;
    for (const rs of this.routes) {
      for (const other of rs.upstreams.values()) {
        if (other.origin === u.origin) until = Math.max(until, rs.balancer.eject(other.key, now));
      }
    }
    return until;
  }

  /**
   * Puts back upstreams whose cooldown ended and turns due breakers half-open; returns when the
   * next such moment is, if any.
   */
  readmitDue(now: number): number | undefined {
    let next: number | undefined;
    const sooner = (n: number | undefined): void => {
      if (n !== undefined && (next === undefined || n < next)) next = n;
    };
    for (const rs of this.routes) {
      sooner(rs.balancer.readmitDue(now));
      for (const u of rs.upstreams.values()) {
        const b = u.breaker;
        if (b === undefined) continue;
        if (b.due(now) !== undefined) this.breakerChanged(rs, u, 'half-open');
        sooner(b.reopensAt);
      }
    }
    return next;
  }

  /** A request goes to `u`; true when it is its breaker's half-open probe (the one let through). */
  sent(rs: RouteState, u: Upstream): boolean {
    const b = u.breaker;
    if (b === undefined || !b.sent()) return false;
    rs.balancer.block(u.key, true);
    return true;
  }

  /**
   * The outcome of a try on `u` (ok: it answered below 500). Returns when its breaker turns
   * half-open when this opened it, so the gateway can wake up then.
   */
  outcome(rs: RouteState, u: Upstream, ok: boolean, probe: boolean): number | undefined {
    const b = u.breaker;
    if (b === undefined) return undefined;
    const state = b.record(ok, probe, this.now());
    if (state === undefined) return undefined;
    this.breakerChanged(rs, u, state);
    return b.reopensAt;
  }

  /** A probe's request ended without an outcome: the replica may be probed again. */
  abandoned(rs: RouteState, u: Upstream, probe: boolean): void {
    const b = u.breaker;
    if (b === undefined || !probe) return;
    b.abandoned(probe);
    if (b.admits) rs.balancer.block(u.key, false);
  }

  private breakerChanged(rs: RouteState, u: Upstream, state: BreakerState): void {
    rs.balancer.block(u.key, state === 'open');
    // Only a replica still routed to is news.
    if (rs.upstreams.get(u.key) !== u) return;
    this.onBreaker?.({ route: rs.route.label, service: u.service, replica: u.replica, state });
  }

  /** Every origin some route may send to. */
  origins(): Set<string> {
    const s = new Set<string>();
    for (const rs of this.routes) for (const u of rs.upstreams.values()) s.add(u.origin);
    return s;
  }

  /** Load on one service's routes (undefined when no route reaches it). */
  load(service: string): ServiceLoad | undefined {
    const routes = this.byService.get(service);
    if (routes === undefined) return undefined;
    let inFlight = 0;
    let latency: Uint32Array | undefined;
    const add = (stats: RequestStats): void => {
      inFlight += stats.inFlight;
      const counts = stats.latency.copyCounts();
      if (latency === undefined) latency = counts;
      else for (let b = 0; b < counts.length; b++) latency[b] = (latency[b] ?? 0) + (counts[b] ?? 0);
    };
    for (const rs of routes) {
      if (rs.route.weights === undefined) add(rs.stats);
      // A weighted route's figures are split over its services: this service's replicas' own.
      else for (const u of rs.upstreams.values()) if (u.service === service) add(u.stats);
    }
    // A weighted route whose share for this service has no replica yet: no load, not no figure.
    return { inFlight, latency: latency ?? new LatencyHistogram().copyCounts() };
  }

  stats(): GatewayStats {
    const routes = [...this.routes]
      .sort((a, b) => a.route.index - b.route.index)
      .map((rs): RouteStats => ({
        route: rs.route.label,
        service: rs.route.service,
        ...(rs.route.weights !== undefined ? { services: rs.route.weights } : {}),
        balance: rs.route.balance,
        retries: rs.retries,
        ...rs.stats.snapshot(),
        replicas: [...rs.upstreams.values()]
          .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.replica - b.replica))
          .map((u) => ({
            replica: u.name,
            service: u.service,
            id: u.id,
            address: `${u.host}:${u.port}`,
            healthy: u.healthy,
            ejected: rs.balancer.isEjected(u.key),
            breaker: u.breaker?.state ?? 'closed',
            ...u.stats.snapshot(),
          })),
      }));
    return { routes };
  }
}
