import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  compileRoutes,
  Membership,
  type GatewayReplica,
  type GatewayStats,
  type RouteTable,
  type Upstream,
} from '../../core/gateway/index.js';
import type { GatewayRoute, GatewaySettings } from '../../model/project.js';
import { AccessLog, type AccessEntry } from './access.js';
import type { ProxyEnv } from './env.js';
import { CryptoIds } from './ids.js';
import { Pools } from './pool.js';
import { handleRequest } from './proxy.js';
import { createGatewayServer, listen } from './server.js';
import { handleUpgrade } from './upgrade.js';

export interface GatewayOptions {
  onAccess: (e: AccessEntry) => void;
  /** `--gateway-port`; 0 picks a free port (tests). */
  portOverride?: number;
  /** How long stop() lets in-flight requests finish. */
  drainMs?: number;
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
  private readonly pools = new Pools();
  private readonly env: ProxyEnv;
  private readonly drainMs: number;
  private server: Server | undefined;
  private readmitTimer: NodeJS.Timeout | undefined;
  private readmitAt = Infinity;

  constructor(
    private readonly settings: GatewaySettings,
    private readonly opts: GatewayOptions,
  ) {
    this.table = compileRoutes(settings.routes);
    this.membership = new Membership(this.table);
    this.drainMs = opts.drainMs ?? 5_000;
    this.env = {
      table: this.table,
      membership: this.membership,
      pools: this.pools,
      ids: new CryptoIds(),
      timeoutMs: settings.timeoutMs,
      access: new AccessLog(opts.onAccess),
      eject: (u) => this.eject(u),
      active: 0,
      tunnels: new Set(),
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server !== undefined) throw new Error('gateway already started');
    const env = this.env;
    const server = createGatewayServer({
      request: (req, res) => handleRequest(env, req, res),
      upgrade: (req, socket, head) => handleUpgrade(env, req, socket, head),
    });
    const host = this.settings.host === '' ? '127.0.0.1' : this.settings.host;
    const bound = await listen(server, host, this.opts.portOverride ?? this.settings.port);
    this.server = server;
    return bound;
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
    const membership = new Membership(table);
    for (const [service, replicas] of this.replicas) membership.setReplicas(service, replicas);
    this.table = table;
    this.membership = membership;
    this.env.table = table;
    this.env.membership = membership;
  }

  stats(): GatewayStats {
    return this.membership.stats();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (this.readmitTimer !== undefined) clearTimeout(this.readmitTimer);
    this.readmitTimer = undefined;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + this.drainMs;
      while (this.env.active > 0 && Date.now() < deadline) await sleep(20);
      server.closeAllConnections();
      for (const s of this.env.tunnels) s.destroy();
      this.env.tunnels.clear();
      await closed;
    }
    await this.pools.closeAll(Math.min(this.drainMs, 1_000));
    this.env.access.flush();
  }

  private eject(u: Upstream): void {
    const until = this.membership.eject(u, Date.now());
    this.scheduleReadmit(until);
  }

  private scheduleReadmit(at: number): void {
    if (this.server === undefined || at >= this.readmitAt) return;
    if (this.readmitTimer !== undefined) clearTimeout(this.readmitTimer);
    this.readmitAt = at;
    this.readmitTimer = setTimeout(
      () => {
        this.readmitTimer = undefined;
        this.readmitAt = Infinity;
        const next = this.membership.readmitDue(Date.now());
        if (next !== undefined) this.scheduleReadmit(next);
      },
      Math.max(0, at - Date.now()),
    );
    // Readmission must never keep the process alive on its own.
    this.readmitTimer.unref();
  }
}
