import type { Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  compileRoutes,
  Membership,
  type BreakerChange,
  type GatewayReplica,
  type GatewayStats,
  type RandomSource,
  type RouteTable,
  type ServiceLoad,
  type Upstream,
} from '../../core/gateway/index.js';
import type { Clock } from '../../core/ports.js';
import type { GatewayRoute, GatewaySettings } from '../../model/project.js';
import { systemClock } from '../clock.js';
import { AccessLog, type AccessEntry } from './access.js';
import type { GatewayLimits, ProxyEnv } from './env.js';
import { CryptoIds } from './ids.js';
import { ClientConn } from './client.js';
import { UpstreamPools } from './http1/upstream.js';
import { refuseConnection } from './reject.js';
import { createGatewayServer, listen } from './server.js';

/** `x-orch.gateway` limits when the file sets none (nginx's and node:http's usual figures). */
export const DEFAULT_LIMITS: GatewayLimits = {
  headerTimeoutMs: 60_000,
  maxHeaders: 100,
  maxConnections: 1024,
};
/** Idle keep-alive client connections close after this (node:http's usual 65 s). */
const CLIENT_IDLE_MS = 65_000;
/** Idle upstream connections close before the upstream's own keep-alive timeout (node: 5 s). */
const UPSTREAM_IDLE_MS = 4_000;

export interface GatewayOptions {
  onAccess: (e: AccessEntry) => void;
  /** `--gateway-port`; 0 picks a free port (tests). */
  portOverride?: number;
  /** How long stop() lets in-flight requests finish. */
  drainMs?: number;
  /** Idle client connections (keep-alive, or ignoring our close) end after this; default 65 s. */
  clientIdleMs?: number;
  /** Wall-clock time and sleeps (breakers, retry budgets, backoff, readmission); the system's by default. */
  clock?: Clock;
  /** Monotonic milliseconds for durations and deadlines; performance.now() by default. */
  monotonic?: () => number;
  /** Backoff jitter and `balance: random`; Math.random by default. */
  random?: RandomSource;
  /** A replica's circuit breaker changed state (the `breaker` event). */
  onBreaker?: (change: BreakerChange) => void;
}

/**
 * The reverse proxy `orch up` serves: routes from the project file, replicas from the engine
 * (`setReplicas`, the full current set of a service each time), access lines to a callback.
 */
export class Gateway {
  private table: RouteTable;
  private membership: Membership;
  /** Each service's current replicas, replayed into a new route table. */
  private readonly replicas = new Map<string, readonly GatewayReplica[]>();
  private readonly pools: UpstreamPools;
  private readonly env: ProxyEnv;
  private readonly clock: Clock;
  private readonly drainMs: number;
  private readonly clients = new Set<ClientConn>();
  private server: Server | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readmitTimer: AbortController | undefined;
  private readmitAt = Infinity;

  private bound: { host: string; port: number } | undefined;

  constructor(
    private settings: GatewaySettings,
    private readonly opts: GatewayOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    const clock = this.clock;
    this.pools = new UpstreamPools(() => clock.now());
    this.table = compileRoutes(settings.routes);
    this.membership = this.newMembership(this.table);
    this.drainMs = opts.drainMs ?? 5_000;
    this.env = {
      table: this.table,
      membership: this.membership,
      pools: this.pools,
      ids: new CryptoIds(),
      timeoutMs: settings.timeoutMs,
      access: new AccessLog(opts.onAccess, () => clock.now()),
      eject: (u) => this.eject(u),
      wake: (at) => this.scheduleReadmit(at),
      clock,
      mono: opts.monotonic ?? (() => performance.now()),
      random: opts.random ?? Math.random,
      active: 0,
      tunnels: new Set(),
      inflight: new Set(),
      draining: false,
      limits: limitsOf(settings),
      connections: 0,
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server !== undefined) throw new Error('gateway already started');
    this.env.draining = false;
    const { server, bound } = await this.bind(this.settings);
    this.server = server;
    this.bound = bound;
    this.startSweep();
    return bound;
  }

  /** Where the gateway listens now (it moves with a live edit of its port or host). */
  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  /**
   * A live edit of the listener settings. A new timeout applies to requests that start waiting
   * from now on. A new host or port is bound first, so a taken port fails (PORT_TAKEN) with the
   * gateway still serving where it was; then the old listener stops accepting and its
   * connections close once their current request is answered. `--gateway-port` keeps winning.
   */
  async setListener(settings: GatewaySettings): Promise<{ host: string; port: number }> {
    const old = this.server;
    if (old === undefined || this.bound === undefined) throw new Error('gateway not started');
    const want = this.target(settings);
    const now = this.target(this.settings);
    if (want.host !== now.host || want.port !== now.port) {
      // Only connections made to the old listener are retired, not ones the new one accepted.
      const before = [...this.clients];
      const { server, bound } = await this.bind(settings);
      this.server = server;
      this.bound = bound;
      old.close();
      for (const c of before) c.retire();
    }
    this.settings = settings;
    this.env.limits = limitsOf(settings);
    if (this.env.timeoutMs !== settings.timeoutMs) {
      this.env.timeoutMs = settings.timeoutMs;
      this.startSweep();
    }
    return this.bound;
  }

  private target(settings: GatewaySettings): { host: string; port: number } {
    return {
      host: settings.host === '' ? '127.0.0.1' : settings.host,
      port: this.opts.portOverride ?? settings.port,
    };
  }

  private async bind(
    settings: GatewaySettings,
  ): Promise<{ server: Server; bound: { host: string; port: number } }> {
    const env = this.env;
    const server = createGatewayServer((socket) => {
      if (env.connections >= env.limits.maxConnections) {
        refuseConnection(env, socket);
        return;
      }
      env.connections++;
      socket.once('close', () => env.connections--);
      void new ClientConn(env, socket, this.clients);
    });
    const { host, port } = this.target(settings);
    const bound = await listen(server, host, port);
    return { server, bound };
  }

  private newMembership(table: RouteTable): Membership {
    const { onBreaker, random } = this.opts;
    return new Membership(table, {
      now: () => this.clock.now(),
      ...(random !== undefined ? { random } : {}),
      ...(onBreaker !== undefined ? { onBreaker } : {}),
    });
  }

  private startSweep(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    // Timeouts are found by a sweep rather than a timer per request: fine enough for deadlines of
    // seconds, and free on the request path. A short per_try_timeout makes it look more often.
    let shortest = this.env.timeoutMs;
    for (const r of this.table.routes)
      if (r.retries?.perTryTimeoutMs !== undefined) shortest = Math.min(shortest, r.retries.perTryTimeoutMs);
    const every = Math.max(10, Math.min(250, Math.floor(shortest / 10)));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    const now = this.env.mono();
    for (const ex of this.env.inflight) if (ex.deadline <= now) ex.timedOut();
    const wall = this.clock.now();
    for (const c of this.clients) {
      if (c.headSince > 0 && wall - c.headSince > this.env.limits.headerTimeoutMs) c.headerTimedOut();
      else if (!c.busy && c.idleSince > 0 && wall - c.idleSince > (this.opts.clientIdleMs ?? CLIENT_IDLE_MS))
        c.destroy();
    }
    this.pools.sweep(wall, UPSTREAM_IDLE_MS);
  }

  setReplicas(service: string, replicas: readonly GatewayReplica[]): void {
    this.replicas.set(service, replicas);
    this.pools.release(this.membership.setReplicas(service, replicas));
  }

  /**
   * A live edit of `x-orch.gateway.routes`: new requests use the new table at once; requests in
   * flight finish on the route they started with. Counters start again for the new routes.
   */
  setRoutes(routes: readonly GatewayRoute[]): void {
    const table = compileRoutes(routes);
    const membership = this.newMembership(table);
    for (const [service, replicas] of this.replicas) membership.setReplicas(service, replicas);
    this.table = table;
    this.membership = membership;
    this.env.table = table;
    this.env.membership = membership;
    this.startSweep();
  }

  stats(): GatewayStats {
    return this.membership.stats();
  }

  /** In-flight requests and latency counts of one service's routes (the autoscaler's figures). */
  load(service: string): ServiceLoad | undefined {
    return this.membership.load(service);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.readmitTimer?.abort();
    this.readmitTimer = undefined;
    this.readmitAt = Infinity;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      this.env.draining = true;
      for (const c of this.clients) c.closeIfIdle();
      const deadline = this.clock.now() + this.drainMs;
      while (this.env.active > 0 && this.clock.now() < deadline) await this.clock.sleep(20);
      for (const c of this.clients) c.destroy();
      for (const s of this.env.tunnels) s.destroy();
      this.env.tunnels.clear();
      await closed;
    }
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.pools.closeAll();
    this.env.access.flush();
  }

  private eject(u: Upstream): void {
    const until = this.membership.eject(u, this.clock.now());
    this.scheduleReadmit(until);
  }

  /** Wakes up at `at` to readmit ejected upstreams and half-open breakers (one wake-up at a time: the soonest). */
  private scheduleReadmit(at: number): void {
    if (this.server === undefined || at >= this.readmitAt) return;
    this.readmitTimer?.abort();
    const timer = new AbortController();
    this.readmitTimer = timer;
    this.readmitAt = at;
    this.clock.sleep(Math.max(0, at - this.clock.now()), timer.signal).then(
      () => {
        this.readmitTimer = undefined;
        this.readmitAt = Infinity;
        const next = this.membership.readmitDue(this.clock.now());
        if (next !== undefined) this.scheduleReadmit(next);
      },
      // Aborted: a sooner wake-up replaced it, or the gateway stopped.
      () => undefined,
    );
  }
}

function limitsOf(s: GatewaySettings): GatewayLimits {
  return {
    headerTimeoutMs: s.headerTimeoutMs ?? DEFAULT_LIMITS.headerTimeoutMs,
    maxHeaders: s.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
    maxConnections: s.maxConnections ?? DEFAULT_LIMITS.maxConnections,
  };
}
