import type { PublishedPort } from '../ports.js';
import {
  Balancer,
  DEFAULT_EJECTION,
  type EjectionPolicy,
  type Member,
  type RandomSource,
} from './balancer.js';
import type { CompiledRoute, RouteTable } from './routes.js';
import { RequestStats, type GatewayStats, type RouteStats, type ServiceLoad } from './stats.js';

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
  readonly replica: number;
  host: string;
  port: number;
  /** `http://host:port`, the connection pool's key. */
  origin: string;
  healthy: boolean;
  readonly stats: RequestStats;
}

export interface RouteState {
  readonly route: CompiledRoute;
  readonly balancer: Balancer<Upstream>;
  readonly upstreams: Map<string, Upstream>;
  readonly stats: RequestStats;
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

  constructor(
    table: RouteTable,
    random: RandomSource = Math.random,
    policy: EjectionPolicy = DEFAULT_EJECTION,
  ) {
    this.routes = table.routes.map((route) => ({
      route,
      balancer: new Balancer<Upstream>(route.balance, random, policy),
      upstreams: new Map<string, Upstream>(),
      stats: new RequestStats(),
    }));
    for (const rs of this.routes) {
      const list = this.byService.get(rs.route.service) ?? [];
      list.push(rs);
      this.byService.set(rs.route.service, list);
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
          u = {
            key,
            order: r.replica,
            id: r.id,
            name: r.name,
            replica: r.replica,
            host,
            port: published.hostPort,
            origin: originOf(host, published.hostPort),
            healthy: r.healthy,
            inFlight: 0,
            stats: new RequestStats(),
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
      for (const key of rs.upstreams.keys()) if (!seen.has(key)) rs.upstreams.delete(key);
      rs.balancer.update(candidates);
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

  /** Puts back upstreams whose cooldown ended; returns the next cooldown end, if any. */
  readmitDue(now: number): number | undefined {
    let next: number | undefined;
    for (const rs of this.routes) {
      const n = rs.balancer.readmitDue(now);
      if (n !== undefined && (next === undefined || n < next)) next = n;
    }
    return next;
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
    for (const rs of routes) {
      inFlight += rs.stats.inFlight;
      const counts = rs.stats.latency.copyCounts();
      if (latency === undefined) latency = counts;
      else for (let b = 0; b < counts.length; b++) latency[b] = (latency[b] ?? 0) + (counts[b] ?? 0);
    }
    return latency === undefined ? undefined : { inFlight, latency };
  }

  stats(): GatewayStats {
    const routes = [...this.routes]
      .sort((a, b) => a.route.index - b.route.index)
      .map((rs): RouteStats => ({
        route: rs.route.label,
        service: rs.route.service,
        balance: rs.route.balance,
        ...rs.stats.snapshot(),
        replicas: [...rs.upstreams.values()]
          .sort((a, b) => a.replica - b.replica)
          .map((u) => ({
            replica: u.name,
            id: u.id,
            address: `${u.host}:${u.port}`,
            healthy: u.healthy,
            ejected: rs.balancer.isEjected(u.key),
            ...u.stats.snapshot(),
          })),
      }));
    return { routes };
  }
}
