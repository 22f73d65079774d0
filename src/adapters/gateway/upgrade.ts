import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import {
  forwardRequestHeaders,
  matchRoute,
  upstreamPath,
  type ForwardedRequest,
  type RouteState,
  type Upstream,
} from '../../core/gateway/index.js';
import { logAccess } from './access.js';
import { errorCode, gatewayBody, isConnectFailure, type ProxyEnv } from './env.js';
import type { RequestHead } from './http1/head.js';
import { gatewayResponse, requestHeadText } from './http1/write.js';

/**
 * `Upgrade` requests (WebSocket, h2c, anything): the request head is rewritten and sent on a
 * fresh connection, then bytes are piped both ways untouched, the upstream's 101 (or refusal)
 * included. The first response line gives the status for the access line.
 */
export function handleUpgrade(
  env: ProxyEnv,
  req: RequestHead,
  clientIp: string,
  client: Duplex,
  head: Buffer,
): void {
  const start = performance.now();
  const fwd = forwardRequestHeaders(req.rawHeaders, { ids: env.ids, clientIp, proto: 'http', upgrade: true });
  const url = req.url;
  const route = matchRoute(env.table, fwd.host === '' ? undefined : fwd.host, url);
  const t = new Tunnel(env, req, client, head, fwd, start);
  if (route === undefined) t.refuse(404, 'no route matches this request');
  else t.open(env.membership.state(route), upstreamPath(route, url));
}

class Tunnel {
  private rs: RouteState | undefined;
  private upstream: Upstream | undefined;
  private readonly tried: Upstream[] = [];
  private logged = false;
  private closed = false;
  private path = '';

  constructor(
    private readonly env: ProxyEnv,
    private readonly req: RequestHead,
    private readonly client: Duplex,
    private readonly head: Buffer,
    private readonly fwd: ForwardedRequest,
    private readonly start: number,
  ) {
    env.active++;
    env.tunnels.add(client);
    client.on('error', () => this.close());
    client.on('close', () => this.close());
  }

  open(rs: RouteState, path: string): void {
    this.rs = rs;
    this.path = path;
    rs.stats.begin();
    this.attempt();
  }

  private attempt(): void {
    const rs = this.rs;
    if (rs === undefined || this.closed) return;
    const u = rs.balancer.pick(this.tried);
    if (u === undefined) {
      this.refuse(502, this.tried.length === 0 ? 'no healthy replica' : 'no replica reachable');
      return;
    }
    this.upstream = u;
    u.inFlight++;
    u.stats.begin();
    const up = connect({ host: u.host, port: u.port, noDelay: true });
    let connected = false;
    up.once('connect', () => {
      connected = true;
      if (this.closed) {
        up.destroy();
        return;
      }
      this.env.tunnels.add(up);
      // A tunnel is closed as a whole: WebSocket and friends end with their own closing handshake,
      // and keeping half-open sockets would leave both ends waiting for a FIN that never comes.
      const both = (): void => {
        this.env.tunnels.delete(up);
        up.destroy();
        this.client.destroy();
      };
      up.on('close', both);
      up.on('end', both);
      this.client.on('close', both);
      this.client.on('end', both);
      up.write(this.requestHead());
      if (this.head.length > 0) up.write(this.head);
      up.once('data', (chunk: Buffer) => this.log(statusOf(chunk), undefined));
      up.pipe(this.client);
      this.client.pipe(up);
    });
    up.on('error', (err) => {
      const code = errorCode(err);
      if (!connected && isConnectFailure(code)) {
        this.env.eject(u);
        u.inFlight--;
        u.stats.end(502, true, performance.now() - this.start);
        this.upstream = undefined;
        this.tried.push(u);
        this.attempt();
        return;
      }
      if (!this.logged) this.log(502, code ?? err.message);
      this.client.destroy();
    });
  }

  private requestHead(): string {
    return requestHeadText(this.req.method, this.path, this.fwd.headers);
  }

  refuse(status: number, message: string): void {
    const body = gatewayBody(status, message, this.rs?.route.label, this.rs?.route.service);
    this.client.end(gatewayResponse(status, body, { requestId: this.fwd.requestId, close: true }));
    this.log(status, status >= 500 ? message : undefined);
  }

  /** One access line per upgrade, when its response status is known (or it failed). */
  private log(status: number, error: string | undefined): void {
    if (this.logged) return;
    this.logged = true;
    const ms = performance.now() - this.start;
    const failed = error !== undefined;
    const u = this.upstream;
    const rs = this.rs;
    if (u !== undefined) {
      u.stats.end(status, failed, ms);
      if (!failed && rs !== undefined) rs.balancer.succeeded(u.key);
    }
    rs?.stats.end(status, failed, ms);
    logAccess(this.env.access, this.req, this.fwd, status, ms, rs?.route, u?.name, error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.env.active--;
    this.env.tunnels.delete(this.client);
    // The upstream's in-flight count covers the tunnel's whole life, which least_conn wants.
    if (this.upstream !== undefined) this.upstream.inFlight--;
    if (!this.logged) this.log(499, 'client closed the connection');
  }
}

/** `HTTP/1.1 101 Switching Protocols` → 101; 502 when the upstream did not answer HTTP. */
function statusOf(chunk: Buffer): number {
  const s = chunk.toString('latin1', 9, 12);
  const n = Number(s);
  return chunk.toString('latin1', 0, 5) === 'HTTP/' && Number.isInteger(n) && n >= 100 ? n : 502;
}
