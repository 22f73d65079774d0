import {
  forwardResponseHeaders,
  type ForwardedRequest,
  type RouteState,
  type Upstream,
} from '../../../core/gateway/index.js';
import { logAccess } from '../access.js';
import { gatewayBody, type Deadline, type ProxyEnv } from '../env.js';
import { BodyReader } from '../http1/body.js';
import type { Framing, RequestHead, ResponseHead } from '../http1/head.js';
import { gatewayResponse } from '../http1/write.js';
import type { ClientSide } from './client-side.js';
import { responseHeadText } from './response-head.js';
import type { Tries } from './tries.js';

/**
 * The client side of one exchange: the response head and body as they go to the client, the
 * gateway's own answers, and the end of the exchange (counters, breaker and balancer accounting,
 * the access line). `Exchange` adds the upstream side; one object per request either way.
 */
export abstract class Reply implements Deadline {
  abstract deadline: number;
  abstract timedOut(): void;
  protected rs: RouteState | undefined;
  protected tries: Tries | undefined;
  protected upstream: Upstream | undefined;
  protected bodyDone: boolean;
  protected status = 0;
  protected responded = false;
  protected closeAfter = false;
  protected done = false;
  /** Set when the gateway refused the request itself (logged as `reason=`). */
  protected reason: string | undefined;
  /** Re-frames a chunked body for an HTTP/1.0 client. */
  private dechunk: BodyReader | undefined;

  constructor(
    protected readonly env: ProxyEnv,
    protected readonly client: ClientSide,
    protected readonly req: RequestHead,
    protected readonly fwd: ForwardedRequest,
    protected readonly start: number,
  ) {
    env.active++;
    this.bodyDone = req.framing.kind === 'none';
  }

  get isDone(): boolean {
    return this.done;
  }

  /** Sends the upstream's response head (and the body bytes read with it); false: wait for drain. */
  protected writeHead(head: ResponseHead, framing: Framing, body: Buffer | undefined): boolean {
    this.status = head.status;
    this.responded = true;
    const chunked = framing.kind === 'chunked';
    const http10 = this.client.minor === 0;
    // A body the client cannot be told the length of ends with the connection.
    const lengthless = framing.kind === 'close' || (chunked && http10);
    // The client's request body was not read to its end: the connection cannot carry another.
    this.closeAfter = this.client.willClose(this.req.keepAlive && !lengthless && this.bodyDone);
    const headers = forwardResponseHeaders(head.rawHeaders, this.fwd.requestId);
    const s = responseHeadText(this.req.method, head, headers, framing, http10, this.closeAfter);
    if (!(chunked && http10)) return this.client.writeHeadAndBody(s, body);
    this.dechunk = new BodyReader(framing, (b, from, to) => void this.client.write(b.subarray(from, to)));
    this.client.write(s);
    if (body !== undefined) this.dechunk.consume(body, 0);
    return true;
  }

  /** Passes response body bytes on; false: wait for drain. */
  protected writeBody(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    if (this.dechunk === undefined) return this.client.write(chunk);
    this.dechunk.consume(chunk, 0);
    return true;
  }

  /** A response made by the gateway itself; 5xx ones count as errors. */
  answer(status: number, message: string): void {
    if (this.done) return;
    this.status = status;
    const body = gatewayBody(status, message, this.rs?.route.label, this.rs?.route.service);
    this.closeAfter = this.client.willClose(this.req.keepAlive && this.bodyDone);
    this.client.writeHeadAndBody(
      gatewayResponse(status, body, { requestId: this.fwd.requestId, close: this.closeAfter }),
      undefined,
    );
    this.finish(status >= 500 ? message : undefined);
  }

  protected finish(error: string | undefined, upgraded = false): void {
    if (this.done) return;
    this.done = true;
    this.env.active--;
    this.env.inflight.delete(this);
    const ms = this.env.mono() - this.start;
    const u = this.upstream;
    const rs = this.rs;
    // A client hanging up (499) is logged with its reason but is not the upstream's error.
    const failed = error !== undefined && this.status !== 499;
    if (u !== undefined) this.tries?.end(u, this.status, failed, ms);
    rs?.stats.end(this.status, failed, ms);
    logAccess(
      this.env.access,
      this.req,
      this.fwd,
      this.status,
      ms,
      rs?.route,
      u?.name,
      error,
      this.reason,
      this.tries?.retries ?? 0,
    );
    if (!upgraded) this.client.done(this.closeAfter || (error !== undefined && this.responded));
  }
}
