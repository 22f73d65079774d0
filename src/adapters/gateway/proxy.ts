import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import {
  forwardRequestHeaders,
  forwardResponseHeaders,
  matchRoute,
  upstreamPath,
  type ForwardedRequest,
  type RouteState,
  type Upstream,
} from '../../core/gateway/index.js';
import { logAccess } from './access.js';
import { canRetry, errorCode, gatewayBody, isEjectable, type ProxyEnv } from './env.js';

const CALL = Symbol('orch.gateway.call');
type TrackedResponse = ServerResponse & { [CALL]?: ProxyCall | undefined };

function latin1(b: Buffer): string {
  return b.toString('latin1');
}

/** Shared by every response, so no closure is made per request. */
function onResponseClose(this: TrackedResponse): void {
  this[CALL]?.clientClosed();
}

/** Entry point for plain (non-Upgrade) requests. */
export function handleRequest(env: ProxyEnv, req: IncomingMessage, res: ServerResponse): void {
  const start = performance.now();
  const fwd = forwardRequestHeaders(req.rawHeaders, {
    ids: env.ids,
    clientIp: req.socket.remoteAddress ?? '',
    proto: 'http',
    upgrade: false,
  });
  const url = req.url ?? '/';
  const route = matchRoute(env.table, fwd.host === '' ? undefined : fwd.host, url);
  const call = new ProxyCall(env, req, res, fwd, start);
  if (route === undefined) {
    call.answer(404, 'no route matches this request');
    return;
  }
  call.route(env.membership.state(route), upstreamPath(route, url));
}

/**
 * One proxied request, also the undici dispatch handler for it. It uses undici's raw handler
 * callbacks (onHeaders with raw Buffers) because the controller-style API parses every response's
 * headers into an object first, which this proxy never needs.
 */
class ProxyCall implements Dispatcher.DispatchHandler {
  private rs: RouteState | undefined;
  private path = '';
  private upstream: Upstream | undefined;
  private tried: Upstream[] | undefined;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private status = 0;
  private responded = false;
  private done = false;

  constructor(
    private readonly env: ProxyEnv,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly fwd: ForwardedRequest,
    private readonly start: number,
  ) {
    env.active++;
    (res as TrackedResponse)[CALL] = this;
    res.on('close', onResponseClose);
  }

  route(rs: RouteState, path: string): void {
    this.rs = rs;
    this.path = path;
    rs.stats.begin();
    this.attempt();
  }

  private attempt(): void {
    const rs = this.rs;
    if (rs === undefined) return;
    const u = rs.balancer.pick(this.tried);
    if (u === undefined) {
      const why = this.tried === undefined ? 'no healthy replica' : 'no replica reachable';
      this.answer(502, why);
      return;
    }
    this.upstream = u;
    u.inFlight++;
    u.stats.begin();
    this.env.pools.get(u.origin).dispatch(
      {
        origin: u.origin,
        path: this.path,
        method: this.req.method as Dispatcher.HttpMethod,
        headers: this.fwd.headers,
        body: this.fwd.hasBody ? this.req : null,
        headersTimeout: this.env.timeoutMs,
        bodyTimeout: this.env.timeoutMs,
      },
      this,
    );
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.done) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx (100 Continue, 103 Early Hints) are not forwarded; node:http answered Continue itself.
    if (statusCode < 200 || this.done) return true;
    this.resumeUpstream = resume;
    this.status = statusCode;
    this.responded = true;
    this.res.writeHead(statusCode, forwardResponseHeaders(rawHeaders, latin1, this.fwd.requestId));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    const ok = this.res.write(chunk);
    if (!ok) {
      // Backpressure is rare on loopback; a closure here costs nothing on the common path.
      const resume = this.resumeUpstream;
      this.res.once('drain', () => resume?.());
    }
    return ok;
  }

  onComplete(): void {
    if (this.done) return;
    this.res.end();
    this.finish(undefined);
  }

  onError(err: Error): void {
    if (this.done) return;
    const code = errorCode(err);
    const u = this.upstream;
    if (!this.responded) {
      if (u !== undefined && isEjectable(code)) {
        this.env.eject(u);
        if (canRetry(code, this.req.method ?? 'GET', this.fwd.hasBody)) {
          this.release(u, 502, true);
          (this.tried ??= []).push(u);
          this.upstream = undefined;
          this.attempt();
          return;
        }
      }
      if (code === 'UND_ERR_HEADERS_TIMEOUT') this.answer(504, 'upstream timed out');
      else this.answer(502, `upstream failed: ${code ?? err.message}`);
      return;
    }
    // Headers already went out: all that can be done is cut the response short.
    this.res.destroy(err);
    this.finish(code ?? err.message);
  }

  /** The client went away (or the response finished: then this does nothing). */
  clientClosed(): void {
    if (this.done) return;
    this.abortUpstream?.();
    this.status ||= 499;
    this.finish('client closed the connection');
  }

  /** A response made by the gateway itself; 5xx ones count as errors. */
  answer(status: number, message: string): void {
    this.status = status;
    const body = gatewayBody(status, message, this.rs?.route.label, this.rs?.route.service);
    if (!this.res.headersSent) {
      this.res.writeHead(status, [
        'content-type',
        'application/json',
        'content-length',
        String(Buffer.byteLength(body)),
        'x-request-id',
        this.fwd.requestId,
      ]);
    }
    this.res.end(body);
    this.finish(status >= 500 ? message : undefined);
  }

  private release(u: Upstream, status: number, failed: boolean): void {
    const ms = performance.now() - this.start;
    u.inFlight--;
    u.stats.end(status, failed, ms);
  }

  private finish(error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.env.active--;
    (this.res as TrackedResponse)[CALL] = undefined;
    const ms = performance.now() - this.start;
    const u = this.upstream;
    const rs = this.rs;
    // A client hanging up (499) is logged with its reason but is not the upstream's error.
    const failed = error !== undefined && this.status !== 499;
    if (u !== undefined) {
      u.inFlight--;
      u.stats.end(this.status, failed, ms);
      if (!failed && rs !== undefined) rs.balancer.succeeded(u.key);
    }
    rs?.stats.end(this.status, failed, ms);
    logAccess(this.env.access, this.req, this.fwd, this.status, ms, rs?.route, u?.name, error);
  }
}
