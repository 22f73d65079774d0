import type { Socket } from 'node:net';
import { gatewayBody, type ProxyEnv } from './env.js';
import { BodyError, BodyReader } from './http1/body.js';
import { checkPartialHead, HeadError, headEnd, parseRequestHead, type RequestHead } from './http1/head.js';
import { gatewayResponse } from './http1/write.js';
import { logRejection, requestLine } from './reject.js';
import { startExchange, type ClientSide, type Exchange } from './proxy/index.js';
import { tunnel } from './tunnel.js';

/** node:http's default header limit; larger heads are answered 431. */
const MAX_HEAD = 16 * 1024;
/** Pipelined bytes held while a response is pending before reading pauses. */
const MAX_BUFFERED = 256 * 1024;

/**
 * One client connection to the gateway: reads request heads, hands each to an exchange, feeds it
 * the request body, and holds pipelined requests until the response before them is done.
 */
export class ClientConn implements ClientSide {
  readonly ip: string;
  minor = 1;
  /** When the connection became idle (no request in progress), for the keep-alive sweep. */
  idleSince: number;
  /** A head has started arriving; the sweep gives it `limits.headerTimeoutMs`, then answers 408. */
  headSince = 0;
  private buf: Buffer | undefined;
  private exchange: Exchange | undefined;
  private body: BodyReader | undefined;
  private paused = false;
  private ended = false;
  private retired = false;
  private closing = false;
  private gone = false;

  constructor(
    private readonly env: ProxyEnv,
    readonly socket: Socket,
    private readonly clients: Set<ClientConn>,
  ) {
    this.ip = socket.remoteAddress ?? '';
    this.idleSince = this.env.clock.now();
    clients.add(this);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', noop);
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    const reader = this.body;
    if (reader !== undefined && this.exchange !== undefined) {
      const n = this.feedBody(reader, this.exchange, chunk);
      if (n < 0 || n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    this.buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.exchange === undefined) this.parse();
    else if (this.buf.length > MAX_BUFFERED && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  };

  /** Reads as many requests as the buffer holds, one exchange at a time. */
  private parse(): void {
    while (this.buf !== undefined && this.exchange === undefined && !this.closing) {
      // RFC 9112 §2.2: empty lines before a request line are ignored (old clients add a CRLF
      // after a body).
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip > 0) {
        this.buf = skip === this.buf.length ? undefined : this.buf.subarray(skip);
        if (this.buf === undefined) return;
      }
      const buf = this.buf;
      const end = headEnd(buf, 0);
      if (end < 0 || end > MAX_HEAD) {
        if (end > 0 || buf.length > MAX_HEAD) {
          this.refuse(new HeadError(431, 'head-too-large', 'request head too large'));
          return;
        }
        try {
          checkPartialHead(buf, 0);
        } catch (e) {
          this.refuse(e);
          return;
        }
        if (this.headSince === 0) this.headSince = this.env.clock.now();
        return;
      }
      this.headSince = 0;
      let head: RequestHead;
      try {
        head = parseRequestHead(buf, 0, end, this.env.limits.maxHeaders);
      } catch (e) {
        this.refuse(e);
        return;
      }
      const rest = end < buf.length ? buf.subarray(end) : undefined;
      this.buf = undefined;
      this.minor = head.minor;
      this.idleSince = 0;
      // RFC 9110 §10.1.1: an HTTP/1.0 client cannot be sent a 1xx.
      if (head.expectContinue && head.minor === 1 && head.framing.kind !== 'none')
        this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      const reader = head.framing.kind === 'none' ? undefined : new BodyReader(head.framing);
      this.body = reader;
      const ex = startExchange(this.env, this, head);
      // The exchange may already be over (404, no replica); the body is then read and dropped.
      if (this.exchange === undefined && !ex.isDone) this.exchange = ex;
      if (reader !== undefined && rest !== undefined) {
        const n = this.feedBody(reader, ex, rest);
        if (n < 0) return;
        this.buf = n < rest.length ? rest.subarray(n) : undefined;
      } else this.buf = rest;
      if (this.exchange !== undefined) return;
    }
  }

  /**
   * Hands the request-body bytes at the front of `buf` to the exchange. Returns how many bytes
   * were body (the rest is the next request), or -1 when the body cannot be read (answered 400).
   */
  private feedBody(reader: BodyReader, ex: Exchange, buf: Buffer): number {
    let n: number;
    try {
      n = reader.consume(buf, 0);
    } catch (e) {
      this.badBody(ex, e);
      return -1;
    }
    if (reader.done) this.body = undefined;
    if (n > 0 || reader.done) ex.requestBody(n === buf.length ? buf : buf.subarray(0, n), reader.done);
    return n;
  }

  /** A request body that cannot be read: the stream position is lost, so the connection ends. */
  private badBody(ex: Exchange, e: unknown): void {
    this.body = undefined;
    this.buf = undefined;
    this.closing = true;
    const message = e instanceof BodyError ? e.message : 'malformed request body';
    // Already answered (no route, say): the connection is closing after that answer anyway.
    if (!ex.isDone) ex.reject(400, 'bad-chunk', message);
  }

  /** Answers a request the gateway cannot read, then closes: the stream cannot be trusted. */
  private refuse(e: unknown): void {
    const status = e instanceof HeadError ? e.status : 400;
    const reason = e instanceof HeadError ? e.reason : 'bad-request';
    const message = e instanceof Error ? e.message : 'bad request';
    const line = requestLine(this.buf);
    this.closing = true;
    this.idleSince = this.env.clock.now();
    this.buf = undefined;
    this.headSince = 0;
    const id = this.env.ids.hex(16);
    logRejection(this.env, line.method, line.url, status, reason, message, id);
    if (this.exchange !== undefined) {
      this.socket.destroy();
      return;
    }
    this.socket.end(gatewayResponse(status, gatewayBody(status, message), { requestId: id, close: true }));
  }

  /** The sweep found a head still incomplete after `header_timeout` (slow loris): 408 and close. */
  headerTimedOut(): void {
    if (this.exchange === undefined && !this.closing)
      this.refuse(new HeadError(408, 'header-timeout', 'the request head did not arrive in time'));
    else this.socket.destroy();
  }

  // ClientSide, for the exchange:

  willClose(keepAlive: boolean): boolean {
    return !keepAlive || this.ended || this.retired || this.env.draining;
  }

  /** Its listener moved: an idle connection closes now, a busy one after its response. */
  retire(): void {
    this.retired = true;
    if (this.exchange === undefined) this.socket.destroy();
  }

  write(data: Buffer | string): boolean {
    if (this.gone) return true;
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  writeHeadAndBody(head: string, body: Buffer | undefined): boolean {
    if (this.gone) return true;
    if (body === undefined || body.length === 0) return this.socket.write(head, 'latin1');
    this.socket.cork();
    this.socket.write(head, 'latin1');
    const ok = this.socket.write(body);
    this.socket.uncork();
    return ok;
  }

  /**
   * The upstream accepted an Upgrade (101): this parser lets go of the socket and a tunnel takes
   * it, sending on what the client sent after its request while it waited.
   */
  upgraded(head: string, upstream: Socket, rest: Buffer, onClose: () => void): void {
    this.exchange = undefined;
    this.closing = true;
    this.clients.delete(this);
    const s = this.socket;
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('close', this.onClose);
    s.off('error', noop);
    const pending = this.buf;
    this.buf = undefined;
    this.paused = false;
    if (this.gone || this.ended) {
      upstream.destroy();
      s.destroy();
      onClose();
      return;
    }
    tunnel(this.env, s, upstream, [head, rest], pending, onClose);
  }

  onDrain(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused) this.socket.resume();
  }

  done(close: boolean): void {
    this.exchange = undefined;
    if (this.gone) return;
    // Also when closing: the idle sweep then ends a client that never closes its side, and
    // reading resumes so its FIN is seen.
    this.idleSince = this.env.clock.now();
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    // A request body the response did not wait for: this connection's stream position is lost.
    if (close || this.body !== undefined) {
      this.closing = true;
      this.body = undefined;
      this.buf = undefined;
      this.socket.end();
      return;
    }
    if (this.buf !== undefined) this.parse();
    else if (this.ended) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** stop(): idle connections close now; busy ones close after their response. */
  closeIfIdle(): void {
    if (this.exchange === undefined) this.socket.destroy();
  }

  private readonly onEnd = (): void => {
    this.ended = true;
    // The client sent all it will; an answer still due is written before closing.
    if (this.exchange === undefined) this.socket.end();
  };

  private readonly onClose = (): void => {
    this.gone = true;
    this.clients.delete(this);
    const ex = this.exchange;
    this.exchange = undefined;
    ex?.clientClosed();
  };
}

function noop(): void {
  // Socket errors end in 'close', which is where the connection is cleaned up.
}
