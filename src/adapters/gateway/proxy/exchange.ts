import type { Socket } from 'node:net';
import {
  forwardResponseHeaders,
  type Membership,
  type RouteState,
  type TryFailure,
  type Upstream,
} from '../../../core/gateway/index.js';
import { isEjectable } from '../env.js';
import type { Framing, ResponseHead } from '../http1/head.js';
import type { UpstreamConn, UpstreamHandler } from '../http1/upstream.js';
import { requestHeadText } from '../http1/write.js';
import { PendingBody } from './pending.js';
import { recovery } from './recovery.js';
import { requestFraming, upgradeHeadText } from './response-head.js';
import { Reply } from './reply.js';
import { Tries } from './tries.js';

/**
 * One proxied request/response. The request head is rewritten once; body bytes are passed on as
 * framed (chunked stays chunked), and held only while no upstream connection is ready, so a
 * request refused at connect can still be sent to another replica. This is the upstream side
 * (tries, connection, failures); what goes to the client and the accounting are `Reply`'s.
 */
export class Exchange extends Reply implements UpstreamHandler {
  /** When the upstream must have answered (or sent more body) by; checked by the gateway's sweep. */
  deadline = Infinity;
  private path = '';
  private conn: UpstreamConn | undefined;
  private ready = false;
  private pending: PendingBody | undefined;
  private staleRetried = false;
  /** When the current try must have its response head by (route `per_try_timeout`). */
  private tryDeadline = Infinity;

  route(membership: Membership, rs: RouteState, path: string): void {
    this.tries = new Tries(this.env, membership, rs);
    this.rs = rs;
    this.path = path;
    rs.stats.begin();
    rs.budget?.request();
    this.env.inflight.add(this);
    this.attempt(false);
  }

  /** Request body bytes from the client, in order; `last` when the body is complete. */
  requestBody(chunk: Buffer, last: boolean): void {
    if (this.done) return;
    if (last) this.bodyDone = true;
    // The timeout counts from the last progress: a long upload that keeps moving is not cut.
    if (!this.responded && chunk.length > 0)
      this.deadline = Math.min(this.env.mono() + this.env.timeoutMs, this.tryDeadline);
    const conn = this.conn;
    if (conn !== undefined && this.ready) {
      if (chunk.length > 0 && !conn.write(chunk)) {
        this.client.pause();
        conn.socket.once('drain', () => this.client.resume());
      }
      if (last) conn.requestComplete();
      return;
    }
    if (chunk.length > 0) (this.pending ??= new PendingBody(this.client)).push(chunk);
  }

  private attempt(fresh: boolean): void {
    const tries = this.tries;
    if (tries === undefined || this.done) return;
    let u = this.upstream;
    if (!fresh || u === undefined) {
      u = tries.rs.balancer.pick(tries.tried);
      if (u === undefined) {
        this.answer(502, tries.tried === undefined ? 'no healthy replica' : 'no replica reachable');
        return;
      }
      this.upstream = u;
      tries.take(u);
    }
    this.send(u, fresh);
  }

  private send(u: Upstream, fresh: boolean): void {
    this.ready = false;
    const now = this.env.mono();
    this.tryDeadline = this.tries?.deadline(now) ?? Infinity;
    this.deadline = Math.min(now + this.env.timeoutMs, this.tryDeadline);
    this.env.pools.get(u.origin, u.host, u.port).request(this, this.req.method, fresh, this.req.upgrade);
  }

  /** The current try's outcome, for its replica's circuit breaker. */
  private report(ok: boolean): void {
    if (this.upstream !== undefined) this.tries?.report(this.upstream, ok);
  }

  /**
   * Under the route's `retries`, when the failed try may be repeated: the next try goes to another
   * replica after a jittered backoff, and true is returned. The failed try's upstream side is the
   * caller's to let go of.
   */
  private retry(failure: TryFailure, status: number): boolean {
    const u = this.upstream;
    const tries = this.tries;
    if (u === undefined || tries === undefined) return false;
    const next = tries.retryTo(u, failure, this.req.method, this.req.framing.kind !== 'none');
    if (next === undefined) return false;
    tries.release(u, status, true, this.env.mono() - this.start);
    this.conn = undefined;
    this.ready = false;
    this.upstream = next;
    tries.take(next);
    // No deadline while waiting: send() sets the next try's.
    this.deadline = Infinity;
    void this.env.clock.sleep(tries.backoff()).then(() => {
      if (!this.done && this.upstream === next) this.send(next, false);
    });
    return true;
  }

  onUpstreamReady(conn: UpstreamConn): void {
    if (this.done) {
      conn.abort();
      return;
    }
    this.conn = conn;
    this.ready = true;
    const s = requestHeadText(this.req.method, this.path, this.fwd.headers, requestFraming(this.req));
    if (this.pending === undefined) conn.write(s);
    else {
      // Kept until a connection is ready: a refused connect never got here, so nothing is replayed.
      this.pending.flush(conn.socket, (b) => conn.write(b), s);
      this.pending = undefined;
    }
    if (this.bodyDone) conn.requestComplete();
  }

  onResponseHead(head: ResponseHead, framing: Framing, body: Buffer | undefined, complete: boolean): void {
    if (this.done) return;
    this.report(head.status < 500);
    if (head.status >= 500) {
      const conn = this.conn;
      if (this.retry({ kind: 'status', status: head.status }, head.status)) {
        // The answer is dropped: a complete one left its connection reusable, a partial one cannot.
        if (!complete) conn?.abort();
        return;
      }
    }
    if (!this.writeHead(head, framing, body) && !complete) this.backpressure();
    if (complete) this.finish(undefined);
    else this.deadline = this.env.mono() + this.env.timeoutMs;
  }

  onResponseBody(chunk: Buffer, complete: boolean): void {
    if (this.done) return;
    const ok = this.writeBody(chunk);
    if (complete) {
      this.finish(undefined);
      return;
    }
    this.deadline = this.env.mono() + this.env.timeoutMs;
    if (!ok) this.backpressure();
  }

  /** The upstream switched protocols (101) on this Upgrade request: the exchange becomes a tunnel. */
  onUpgraded(head: ResponseHead, socket: Socket, rest: Buffer): void {
    if (this.done) {
      socket.destroy();
      return;
    }
    this.report(true);
    this.conn = undefined;
    this.status = 101;
    this.responded = true;
    const s = upgradeHeadText(head, forwardResponseHeaders(head.rawHeaders, this.fwd.requestId));
    // The replica's in-flight count covers the tunnel's whole life, which least_conn wants.
    const u = this.upstream;
    if (u !== undefined) u.inFlight++;
    this.finish(undefined, true);
    this.client.upgraded(s, socket, rest, () => {
      if (u !== undefined) u.inFlight--;
    });
  }

  /**
   * The request cannot be read to its end (a malformed chunked body): answered `status` when no
   * response has started, else cut; either way the connection closes.
   */
  reject(status: number, reason: string, message: string): void {
    if (this.done) return;
    this.dropUpstream();
    this.reason = reason;
    this.bodyDone = false;
    if (!this.responded) {
      this.answer(status, message);
      return;
    }
    this.client.destroy();
    this.finish(message);
  }

  private backpressure(): void {
    const conn = this.conn;
    if (conn === undefined) return;
    conn.socket.pause();
    this.client.onDrain(() => conn.socket.resume());
  }

  onUpstreamError(code: string, message: string): void {
    if (this.done) return;
    const u = this.upstream;
    const conn = this.conn;
    this.conn = undefined;
    this.ready = false;
    if (!this.responded && u !== undefined) {
      const staleReuse = conn?.reused === true && !this.staleRetried;
      const hasBody = this.req.framing.kind !== 'none';
      const hasRetries = this.rs?.route.retries !== undefined;
      const next = recovery(code, this.req.method, hasBody, staleReuse, hasRetries);
      if (next === 'reconnect') {
        this.staleRetried = true;
        this.attempt(true);
        return;
      }
      this.report(false);
      if (isEjectable(code)) this.env.eject(u);
      if ((next === 'connect' || next === 'reset') && this.retry({ kind: next }, 502)) return;
      if (next === 'failover') {
        this.tries?.release(u, 502, true, this.env.mono() - this.start);
        this.tries?.exclude(u);
        this.upstream = undefined;
        this.attempt(false);
        return;
      }
      this.answer(502, `upstream failed: ${code === 'UPSTREAM_ERROR' ? message : code}`);
      return;
    }
    // Headers already went out: all that can be done is cut the response short.
    this.client.destroy();
    this.finish(code);
  }

  /** The gateway's sweep found the deadline passed. */
  timedOut(): void {
    if (this.done) return;
    if (!this.responded) {
      this.report(false);
      const conn = this.conn;
      const u = this.upstream;
      if (this.retry({ kind: 'timeout' }, 504)) {
        if (conn !== undefined) conn.abort();
        else if (u !== undefined) this.env.pools.cancel(u.origin, this);
        return;
      }
    }
    this.dropUpstream();
    if (!this.responded) {
      this.answer(504, 'upstream timed out');
      return;
    }
    this.client.destroy();
    this.finish('upstream timed out');
  }

  /** The client went away. */
  clientClosed(): void {
    if (this.done) return;
    this.dropUpstream();
    this.status ||= 499;
    this.finish('client closed the connection');
  }

  /** Abandons the upstream side: its connection (cannot be reused mid-exchange) or its queue place. */
  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) conn.abort();
    else if (this.upstream !== undefined) this.env.pools.cancel(this.upstream.origin, this);
  }
}
