import { connect, type Socket } from 'node:net';
import { BodyError, BodyReader } from './body.js';
import {
  HeadError,
  headEnd,
  parseResponseHead,
  responseFraming,
  type Framing,
  type ResponseHead,
} from './head.js';

/** What one upstream exchange is told by its connection. */
export interface UpstreamHandler {
  /** The connection is open (at once for a reused one): the request can be written. */
  onUpstreamReady(conn: UpstreamConn): void;
  /**
   * The final response head (1xx ones are dropped). `body` holds the body bytes that came in the
   * same read, so the head and the first bytes can go to the client in one write.
   */
  onResponseHead(head: ResponseHead, framing: Framing, body: Buffer | undefined, complete: boolean): void;
  /**
   * The upstream answered an Upgrade request with 101: the connection has left its pool and is
   * the handler's now, with `rest` (bytes after the 101 head, already the new protocol's).
   */
  onUpgraded(head: ResponseHead, socket: Socket, rest: Buffer): void;
  /** Body bytes as they were framed on the wire (a chunked body stays chunked). */
  onResponseBody(chunk: Buffer, complete: boolean): void;
  /** The connection failed. `code` is a socket error code or one of UPSTREAM_*. */
  onUpstreamError(code: string, message: string): void;
}

/** Closed by the upstream before the response was complete. */
export const UPSTREAM_CLOSED = 'UPSTREAM_CLOSED';
/** The upstream's answer was not HTTP/1.x. */
export const UPSTREAM_PROTOCOL = 'UPSTREAM_PROTOCOL';
export const CONNECT_TIMEOUT = 'CONNECT_TIMEOUT';

const MAX_HEAD = 64 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * One keep-alive connection to one replica, carrying one exchange at a time (no pipelining: one
 * slow response must not hold up others). It reads response heads and follows the body framing
 * to know when the connection is free again.
 */
export class UpstreamConn {
  readonly socket: Socket;
  connected = false;
  /** Has finished an exchange before: a failure now may just be the upstream's idle close. */
  reused = false;
  idleSince = 0;
  /**
   * How long this connection may sit idle: the upstream's own `Keep-Alive: timeout=N` less a
   * second, so the gateway lets go before the upstream does (a request on a connection the
   * upstream is closing can only be retried when it has no body).
   */
  maxIdleMs = Infinity;
  private handler: UpstreamHandler | undefined;
  private method = 'GET';
  private upgrade = false;
  private head: Buffer | undefined;
  private body: BodyReader | undefined;
  /** The request (head and body) has been written in full. */
  private requestDone = false;
  private reusable = true;
  private dead = false;

  constructor(
    private readonly pool: OriginPool,
    host: string,
    port: number,
  ) {
    const s = connect({ host, port, noDelay: true });
    this.socket = s;
    s.setTimeout(CONNECT_TIMEOUT_MS);
    s.once('connect', this.onConnect);
    s.on('data', this.onData);
    s.on('timeout', this.onTimeout);
    s.on('error', this.onError);
    s.on('end', this.onEnd);
    s.on('close', this.onClose);
  }

  /** Starts an exchange; the handler writes its request once told the connection is ready. */
  start(handler: UpstreamHandler, method: string, upgrade = false): void {
    this.handler = handler;
    this.method = method;
    this.upgrade = upgrade;
    // A connection that carried an Upgrade request is never reused, whatever the answer.
    if (upgrade) this.reusable = false;
    this.head = undefined;
    this.body = undefined;
    this.requestDone = false;
    if (this.connected) handler.onUpstreamReady(this);
  }

  /** Writes request bytes; false asks the writer to wait for the socket's 'drain'. */
  write(chunk: Buffer | string): boolean {
    if (this.dead) return true;
    return typeof chunk === 'string' ? this.socket.write(chunk, 'latin1') : this.socket.write(chunk);
  }

  /** The whole request has been written. */
  requestComplete(): void {
    this.requestDone = true;
  }

  /** The exchange is abandoned (client gone, timeout): the connection cannot be reused. */
  abort(): void {
    this.handler = undefined;
    this.destroy();
  }

  /** Hands the socket over (to a tunnel): no listener of this connection stays on it. */
  private detach(): void {
    this.handler = undefined;
    this.dead = true;
    this.pool.forget(this);
    const s = this.socket;
    s.off('data', this.onData);
    s.off('timeout', this.onTimeout);
    s.off('error', this.onError);
    s.off('end', this.onEnd);
    s.off('close', this.onClose);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    this.pool.forget(this);
    this.socket.destroy();
  }

  private readonly onConnect = (): void => {
    this.connected = true;
    this.socket.setTimeout(0);
    this.handler?.onUpstreamReady(this);
  };

  private readonly onTimeout = (): void => {
    if (!this.connected) this.fail(CONNECT_TIMEOUT, 'connecting to the upstream timed out');
  };

  private readonly onData = (chunk: Buffer): void => {
    const h = this.handler;
    if (h === undefined) {
      // Bytes nobody asked for: the connection is out of step.
      this.destroy();
      return;
    }
    if (this.body !== undefined) {
      this.onBody(h, chunk);
      return;
    }
    let buf = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    for (;;) {
      // Empty lines before a status line are skipped, as llhttp skips them.
      let skip = 0;
      while (skip < buf.length && (buf[skip] === 0x0d || buf[skip] === 0x0a)) skip++;
      if (skip > 0) buf = buf.subarray(skip);
      const end = headEnd(buf, 0);
      if (end < 0) {
        if (buf.length > MAX_HEAD) this.fail(UPSTREAM_PROTOCOL, 'response head too large');
        else this.head = buf;
        return;
      }
      let head: ResponseHead;
      try {
        head = parseResponseHead(buf, 0, end);
      } catch (e) {
        this.fail(UPSTREAM_PROTOCOL, e instanceof HeadError ? e.message : 'malformed response');
        return;
      }
      // 1xx interim responses: 100 Continue was already answered to the client, others are dropped.
      if (head.status < 200 && head.status !== 101) {
        if (end === buf.length) {
          this.head = undefined;
          return;
        }
        buf = buf.subarray(end);
        continue;
      }
      this.head = undefined;
      if (head.status === 101) {
        if (!this.upgrade) {
          this.fail(UPSTREAM_PROTOCOL, 'the upstream switched protocols on a plain request');
          return;
        }
        this.detach();
        h.onUpgraded(head, this.socket, buf.subarray(end));
        return;
      }
      if (head.close) this.reusable = false;
      const hint = head.keepAliveTimeoutMs;
      if (hint !== undefined) {
        this.maxIdleMs = hint - 1_000;
        if (this.maxIdleMs <= 0) this.reusable = false;
      }
      const framing = responseFraming(head, this.method);
      if (framing.kind === 'close') this.reusable = false;
      const reader = new BodyReader(framing);
      this.body = reader;
      let first: Buffer | undefined;
      if (end < buf.length) {
        let n: number;
        try {
          n = reader.consume(buf, end);
        } catch (e) {
          this.fail(UPSTREAM_PROTOCOL, e instanceof BodyError ? e.message : 'malformed response body');
          return;
        }
        first = buf.subarray(end, end + n);
        if (end + n < buf.length) this.reusable = false;
      }
      const complete = reader.done;
      if (complete) this.finishResponse();
      h.onResponseHead(head, framing, first, complete);
      return;
    }
  };

  private onBody(h: UpstreamHandler, chunk: Buffer): void {
    const reader = this.body as BodyReader;
    let n: number;
    try {
      n = reader.consume(chunk, 0);
    } catch (e) {
      this.fail(UPSTREAM_PROTOCOL, e instanceof BodyError ? e.message : 'malformed response body');
      return;
    }
    if (n < chunk.length) this.reusable = false;
    const complete = reader.done;
    if (complete) this.finishResponse();
    if (n > 0 || complete) h.onResponseBody(n === chunk.length ? chunk : chunk.subarray(0, n), complete);
  }

  /**
   * The response is complete: the handler is detached before it hears so, and may start anew.
   * An upstream that answered before reading the whole request leaves the connection unusable.
   */
  private finishResponse(): void {
    this.handler = undefined;
    if (!this.requestDone) {
      this.destroy();
      return;
    }
    this.body = undefined;
    this.reused = true;
    if (this.reusable && !this.dead) this.pool.idle(this);
    else this.destroy();
  }

  private readonly onEnd = (): void => {
    const reader = this.body;
    if (reader !== undefined && this.handler !== undefined) {
      reader.endOfStream();
      if (reader.done) {
        const h = this.handler;
        this.handler = undefined;
        this.destroy();
        h.onResponseBody(Buffer.alloc(0), true);
        return;
      }
    }
    this.fail(UPSTREAM_CLOSED, 'the upstream closed the connection');
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(err.code ?? 'UPSTREAM_ERROR', err.message);
  };

  private readonly onClose = (): void => {
    this.fail(UPSTREAM_CLOSED, 'the upstream closed the connection');
  };

  private fail(code: string, message: string): void {
    const h = this.handler;
    this.handler = undefined;
    this.destroy();
    h?.onUpstreamError(code, message);
  }
}

/** The connections to one replica address: idle ones reused newest first, a cap, a queue. */
export class OriginPool {
  private readonly free: UpstreamConn[] = [];
  private readonly waiting: UpstreamHandler[] = [];
  private readonly waitingMethods: string[] = [];
  private count = 0;
  closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  /**
   * Gives the handler a connection now, or queues it until one is free. `fresh` skips idle ones
   * (a retry after one turned out closed) and may go one over the cap.
   */
  request(handler: UpstreamHandler, method: string, fresh = false, upgrade = false): void {
    // An Upgrade takes a connection of its own (it becomes a tunnel): not from or counted in the pool.
    if (upgrade) {
      this.open().start(handler, method, true);
      return;
    }
    const conn = fresh ? this.open() : (this.free.pop() ?? (this.count < this.max ? this.open() : undefined));
    if (conn === undefined) {
      this.waiting.push(handler);
      this.waitingMethods.push(method);
      return;
    }
    conn.start(handler, method);
  }

  /** Takes a queued request back (its client went away). */
  cancel(handler: UpstreamHandler): void {
    const i = this.waiting.indexOf(handler);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      this.waitingMethods.splice(i, 1);
    }
  }

  idle(conn: UpstreamConn): void {
    if (this.closed) {
      conn.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      conn.start(next, this.waitingMethods.shift() ?? 'GET');
      return;
    }
    conn.idleSince = this.now();
    this.free.push(conn);
  }

  forget(conn: UpstreamConn): void {
    const i = this.free.indexOf(conn);
    if (i >= 0) this.free.splice(i, 1);
    this.count--;
    // A slot opened: a queued request may have one now.
    if (!this.closed && this.waiting.length > 0 && this.count < this.max) {
      const next = this.waiting.shift() as UpstreamHandler;
      this.open().start(next, this.waitingMethods.shift() ?? 'GET');
    }
  }

  /** Closes connections idle for longer than `maxIdleMs` or their own limit (the upstream may drop them any moment). */
  sweep(now: number, maxIdleMs: number): void {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const c = this.free[i];
      if (c !== undefined && now - c.idleSince > Math.min(maxIdleMs, c.maxIdleMs)) c.destroy();
    }
  }

  /** No new requests; idle connections close now, busy ones when their exchange ends. */
  close(): void {
    this.closed = true;
    for (const c of [...this.free]) c.destroy();
    const waiting = this.waiting.splice(0);
    this.waitingMethods.length = 0;
    for (const h of waiting) h.onUpstreamError(UPSTREAM_CLOSED, 'the replica was removed');
  }

  private open(): UpstreamConn {
    this.count++;
    return new UpstreamConn(this, this.host, this.port);
  }
}

/** One pool per replica address. */
export class UpstreamPools {
  private readonly pools = new Map<string, OriginPool>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxPerOrigin = 256,
  ) {}

  get(origin: string, host: string, port: number): OriginPool {
    let p = this.pools.get(origin);
    if (p === undefined) {
      p = new OriginPool(host, port, this.maxPerOrigin, this.now);
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Takes a queued request back from an address's pool, if that pool still exists. */
  cancel(origin: string, handler: UpstreamHandler): void {
    this.pools.get(origin)?.cancel(handler);
  }

  /** Closes pools of addresses no longer routed to; their in-flight exchanges finish first. */
  release(origins: readonly string[]): void {
    for (const o of origins) {
      this.pools.get(o)?.close();
      this.pools.delete(o);
    }
  }

  sweep(now: number, maxIdleMs: number): void {
    for (const p of this.pools.values()) p.sweep(now, maxIdleMs);
  }

  closeAll(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }
}
