import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway, type AccessEntry, type GatewayReplica } from '../../src/adapters/gateway/index.js';
import { OrchError } from '../../src/errors/index.js';
import type { GatewaySettings } from '../../src/model/project.js';

const pos = { file: 'orch.yaml', line: 1, col: 1 };
const TP = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

interface Upstream {
  readonly name: string;
  readonly server: Server;
  readonly port: number;
  seen: IncomingHttpHeaders[];
  paths: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(name: string, handler?: Parameters<typeof createServer>[1]): Promise<Upstream> {
  const u: Upstream = { name, server: undefined as unknown as Server, port: 0, seen: [], paths: [] };
  const server = createServer((req, res) => {
    u.seen.push(req.headers);
    u.paths.push(req.url ?? '');
    if (handler) return handler(req, res);
    res.setHeader('x-served-by', name);
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(u, { server, port: (server.address() as AddressInfo).port });
  cleanups.push(() => new Promise((r) => (server.listening ? server.close(() => r()) : r())));
  server.on('close', () => server.closeAllConnections());
  return u;
}

function replica(u: Upstream, n: number, healthy = true): GatewayReplica {
  return {
    id: `id-${u.name}`,
    name: u.name,
    service: 'api',
    replica: n,
    healthy,
    ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: u.port }],
  };
}

function settings(over: Partial<GatewaySettings> = {}): GatewaySettings {
  return {
    port: 0,
    host: '127.0.0.1',
    timeoutMs: 30_000,
    routes: [{ path: '/api', service: 'api', port: 3000, stripPrefix: false, balance: 'round_robin', pos }],
    ...over,
  };
}

async function gateway(s = settings()) {
  const access: AccessEntry[] = [];
  const gw = new Gateway(s, { onAccess: (e) => access.push(e), portOverride: s.port, drainMs: 500 });
  const addr = await gw.start();
  cleanups.push(() => gw.stop());
  return { gw, access, port: addr.port };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}
function send(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: (string | Buffer)[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    for (const chunk of opts.body ?? []) req.write(chunk);
    req.end();
  });
}

const flushAccess = () => new Promise((r) => setImmediate(r));

describe('gateway over real loopback sockets', () => {
  it('rotates strictly over 3 upstreams', async () => {
    const ups = await Promise.all(['a', 'b', 'c'].map((n) => upstream(n)));
    const { gw, port } = await gateway();
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, i + 1)),
    );
    const order: string[] = [];
    for (let i = 0; i < 9; i++) order.push((await send(port, '/api/x')).body);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('loses no GET when an upstream dies mid-load (retry + ejection)', async () => {
    const ups = await Promise.all(['a', 'b', 'c'].map((n) => upstream(n)));
    const { gw, port } = await gateway();
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, i + 1)),
    );
    const results: number[] = [];
    let killed = false;
    const worker = async () => {
      for (let i = 0; i < 60; i++) {
        const r = await send(port, '/api/load');
        results.push(r.status);
        if (!killed && results.length > 40) {
          killed = true;
          ups[1]!.server.close();
          ups[1]!.server.closeAllConnections();
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(results).toHaveLength(240);
    expect(results.filter((s) => s !== 200)).toEqual([]);
    const stats = gw.stats().routes[0]!;
    expect(stats.replicas.find((r) => r.replica === 'b')?.ejected).toBe(true);
  });

  it('passes x-request-id through both ways and sends a valid traceparent and forwarded headers', async () => {
    const u = await upstream('a');
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const r = await send(port, '/api/ids', {
      headers: {
        'x-request-id': 'req-42',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(r.headers['x-request-id']).toBe('req-42');
    const seen = u.seen[0]!;
    expect(seen['x-request-id']).toBe('req-42');
    expect(seen['traceparent']).toMatch(TP);
    expect(String(seen['traceparent']).slice(3, 35)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(String(seen['traceparent']).slice(36, 52)).not.toBe('00f067aa0ba902b7');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe(`127.0.0.1:${port}`);

    const fresh = await send(port, '/api/ids');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(u.seen[1]!['traceparent']).toMatch(TP);
  });

  it('answers 502 JSON naming route and service when no replica is healthy', async () => {
    const u = await upstream('a');
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1, false)]);
    const r = await send(port, '/api/x');
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ route: '/api', service: 'api', error: 'no healthy replica' });
    await flushAccess();
    expect(access[0]).toMatchObject({ status: 502, route: '/api', service: 'api' });
  });

  it('answers 504 when the upstream is slower than the timeout', async () => {
    const u = await upstream('slow', (_req, res) => void setTimeout(() => res.end('late'), 1500));
    const { gw, port } = await gateway(settings({ timeoutMs: 200 }));
    gw.setReplicas('api', [replica(u, 1)]);
    const t0 = Date.now();
    const r = await send(port, '/api/slow');
    expect(r.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(JSON.parse(r.body)).toMatchObject({ route: '/api', service: 'api' });
  });

  it('passes an Upgrade handshake through and pipes bytes both ways', async () => {
    const u = await upstream('ws');
    u.server.on('upgrade', (req, socket) => {
      u.seen.push(req.headers);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`));
      socket.on('end', () => socket.end());
    });
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString()));
    sock.write(
      'GET /api/socket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await until(() => got.includes('\r\n\r\n'));
    expect(got.startsWith('HTTP/1.1 101')).toBe(true);
    sock.write('ping');
    await until(() => got.includes('echo:ping'));
    sock.destroy();
    expect(u.seen[0]!['upgrade']).toBe('websocket');
    expect(u.seen[0]!['x-request-id']).toBeTruthy();
    await until(() => access.length === 1);
    expect(access[0]).toMatchObject({ status: 101, replica: 'ws', path: '/api/socket' });
  });

  it('streams POST bodies (chunked) to the upstream and back', async () => {
    const u = await upstream('echo', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.pipe(res);
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const chunks = Array.from({ length: 50 }, (_, i) => `chunk-${i};`.repeat(100));
    const r = await send(port, '/api/echo', { method: 'POST', body: chunks });
    expect(r.status).toBe(200);
    expect(r.body).toBe(chunks.join(''));
  });

  it('follows setReplicas at once (scale up and down) and strips prefixes', async () => {
    const ups = await Promise.all(['a', 'b', 'c'].map((n) => upstream(n)));
    const s = settings({
      routes: [{ path: '/api', service: 'api', port: 3000, stripPrefix: true, balance: 'round_robin', pos }],
    });
    const { gw, port } = await gateway(s);
    gw.setReplicas('api', [replica(ups[0]!, 1)]);
    expect((await send(port, '/api')).body).toBe('a');
    expect(ups[0]!.paths).toEqual(['/']);
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, i + 1)),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) seen.add((await send(port, '/api/p?q=1')).body);
    expect(seen).toEqual(new Set(['a', 'b', 'c']));
    expect(ups[1]!.paths).toEqual(['/p?q=1']);
    gw.setReplicas('api', [replica(ups[2]!, 3)]);
    for (let i = 0; i < 3; i++) expect((await send(port, '/api/x')).body).toBe('c');
    gw.setReplicas('api', []);
    expect((await send(port, '/api/x')).status).toBe(502);
  });

  it('applies a live route edit at once, keeping the replicas it already knows', async () => {
    const ups = await Promise.all(['a', 'b'].map((n) => upstream(n)));
    const { gw, port } = await gateway();
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, i + 1)),
    );
    expect((await send(port, '/api/x')).status).toBe(200);
    gw.setRoutes([
      { path: '/v2', service: 'api', port: 3000, stripPrefix: true, balance: 'round_robin', pos },
    ]);
    expect((await send(port, '/api/x')).status).toBe(404);
    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const r = await send(port, '/v2/x');
      expect(r.status).toBe(200);
      seen.add(r.body);
    }
    expect(seen).toEqual(new Set(['a', 'b']));
    expect(ups[0]!.paths.at(-1)).toBe('/x');
  });

  it('emits one access entry per request with its fields; stats count them', async () => {
    const u = await upstream('a');
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    await send(port, '/api/one', { headers: { 'x-request-id': 'r1' } });
    await send(port, '/api/two', { method: 'DELETE' });
    await send(port, '/nowhere');
    await flushAccess();
    expect(access).toHaveLength(3);
    expect(access[0]).toMatchObject({
      method: 'GET',
      path: '/api/one',
      status: 200,
      replica: 'a',
      service: 'api',
      route: '/api',
      requestId: 'r1',
    });
    expect(access[0]!.ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(access[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof access[0]!.durationMs).toBe('number');
    expect(access[1]).toMatchObject({ method: 'DELETE', status: 200 });
    expect(access[2]).toMatchObject({ path: '/nowhere', status: 404 });
    const st = gw.stats().routes[0]!;
    expect(st).toMatchObject({ route: '/api', service: 'api', requests: 2, errors: 0, inFlight: 0 });
    expect(st.replicas[0]).toMatchObject({ replica: 'a', requests: 2, errors: 0, inFlight: 0 });
    expect(st.replicas[0]!.p99Ms).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(gw.stats()))).toEqual(gw.stats());
  });

  it('reports a taken port as OrchError PORT_TAKEN (exit 2)', async () => {
    const { port } = await gateway();
    const second = new Gateway(settings({ port }), { onAccess: () => undefined });
    const err = await second.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).code).toBe('PORT_TAKEN');
    expect((err as OrchError).exitCode).toBe(2);
  });
});

/** Writes raw bytes on one connection and collects everything until the gateway closes it. */
function raw(port: number, ...parts: (string | Buffer)[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => resolve(got));
    for (const p of parts) sock.write(p);
  });
}

/** A hand-written upstream: `respond` gets each request's bytes and the socket. */
async function tcpUpstream(
  name: string,
  respond: (req: string, sock: Socket, n: number) => void,
): Promise<Upstream & { connections: number }> {
  let n = 0;
  const u = { name, port: 0, seen: [], paths: [], connections: 0 } as unknown as Upstream & {
    connections: number;
  };
  const server = createTcpServer((sock) => {
    u.connections++;
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const req = buf.slice(0, end + 4);
      buf = buf.slice(end + 4);
      u.paths.push(req.split(' ')[1] ?? '');
      respond(req, sock, ++n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(u, { server, port: (server.address() as AddressInfo).port });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanups.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return u;
}

describe('the gateway speaks HTTP/1.1 on the wire', () => {
  it('answers pipelined requests in order on one connection, and closes after Connection: close', async () => {
    const u = await upstream('a', (req, res) => {
      // The first answer is the slowest: order must still follow the requests.
      const delay = req.url === '/api/1' ? 80 : 0;
      setTimeout(() => res.end(`got ${req.url}`), delay);
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    // The CRLF before the second request is tolerated, as RFC 9112 §2.2 asks.
    const out = await raw(
      port,
      'GET /api/1 HTTP/1.1\r\nHost: x\r\n\r\n\r\nGET /api/2 HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /api/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const bodies = [...out.matchAll(/got (\/api\/\d)/g)].map((m) => m[1]);
    expect(bodies).toEqual(['/api/1', '/api/2', '/api/3']);
    expect(out.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(out.split('\r\n\r\n')[2]).toMatch(/connection: close/i);
  });

  it('keeps one upstream connection alive across requests', async () => {
    const u = await tcpUpstream('ka', (_req, sock) => {
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    for (let i = 0; i < 5; i++) expect((await send(port, '/api/k')).body).toBe('ok');
    expect(u.connections).toBe(1);
  });

  it('retries a request on a new connection when a kept-alive one was closed under it, without ejecting', async () => {
    // The second request arrives on the kept-alive connection and is dropped unanswered, as when
    // an upstream's idle timeout fires just as the request goes out.
    const u = await tcpUpstream('stale', (_req, sock, n) => {
      if (n === 2) sock.destroy();
      else sock.write(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nr${n}`);
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    expect((await send(port, '/api/a')).body).toBe('r1');
    const second = await send(port, '/api/b');
    expect(second.status).toBe(200);
    expect(second.body).toBe('r3');
    expect(u.connections).toBe(2);
    expect(gw.stats().routes[0]!.replicas[0]!.ejected).toBe(false);
  });

  it("lets go of an idle upstream connection a second before the upstream's Keep-Alive timeout", async () => {
    let closedAt = 0;
    let answeredAt = 0;
    const u = await tcpUpstream('ka2', (_req, sock) => {
      sock.once('end', () => (closedAt = Date.now()));
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=2\r\n\r\nok');
      answeredAt = Date.now();
    });
    const short = await tcpUpstream('ka1', (_req, sock) => {
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nKeep-Alive: timeout=1, max=100\r\n\r\nok');
    });
    const { gw, port } = await gateway(
      settings({
        routes: [
          { path: '/two', service: 'two', port: 3000, stripPrefix: false, balance: 'round_robin', pos },
          { path: '/one', service: 'one', port: 3000, stripPrefix: false, balance: 'round_robin', pos },
        ],
      }),
    );
    gw.setReplicas('two', [{ ...replica(u, 1), service: 'two' }]);
    gw.setReplicas('one', [{ ...replica(short, 1), service: 'one' }]);
    expect((await send(port, '/two')).body).toBe('ok');
    await until(() => closedAt > 0, 3_000);
    // Idle for 2 s - 1 s, give or take the sweep's quarter second; never the upstream's full 2 s.
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(900);
    expect(closedAt - answeredAt).toBeLessThan(1_800);
    // timeout=1 leaves no safe idle time: each request gets a connection of its own.
    for (let i = 0; i < 3; i++) expect((await send(port, '/one')).body).toBe('ok');
    expect(short.connections).toBe(3);
  });

  it('streams a chunked response as it comes, and de-chunks it for an HTTP/1.0 client', async () => {
    let release: () => void = () => undefined;
    const u = await upstream('chunky', (_req, res) => {
      res.write('first;');
      release = () => res.end('second');
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    // The first chunk reaches the client while the upstream is still writing.
    const early = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/c' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body === 'first;') release();
        });
        res.on('end', () => resolve(`${res.headers['transfer-encoding']}:${body}`));
      });
      req.end();
    });
    expect(early).toBe('chunked:first;second');

    const old = raw(port, 'GET /api/c HTTP/1.0\r\nHost: x\r\n\r\n');
    await until(() => u.paths.length === 2);
    release();
    const out = await old;
    const [head, body] = out.split('\r\n\r\n');
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).toMatch(/connection: close/i);
    expect(body).toBe('first;second');
  });

  it('passes a close-delimited response through and then closes the client connection', async () => {
    const u = await tcpUpstream('old', (_req, sock) => {
      sock.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(port, 'GET /api/x HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out).toMatch(/connection: close/i);
    expect(out.endsWith('\r\n\r\nuntil the end')).toBe(true);
  });

  it('answers HEAD without waiting for a body, and keeps the connection usable', async () => {
    const u = await upstream('h', (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.end();
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(
      port,
      'HEAD /api/h HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(out).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 1000\r\n[\s\S]*\r\n\r\nHTTP\/1\.1 404 /i,
    );
  });

  it('sends 100 Continue to a client that expects it, then the upstream gets the body', async () => {
    const u = await upstream('e', (req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`len=${n}`));
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString()));
    sock.write(
      'POST /api/e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    await until(() => got.includes('100 Continue'));
    expect(got).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    sock.write('hello');
    await until(() => got.includes('len=5'));
    sock.destroy();
  });

  it('refuses unreadable requests with a status and closes: bad header, smuggling, too large', async () => {
    const { port, access } = await gateway();
    const space = await raw(port, 'GET /api HTTP/1.1\r\nHost : x\r\n\r\n');
    expect(space).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const both = await raw(
      port,
      'POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(both).toMatch(/^HTTP\/1\.1 400 /);
    expect(both).toContain('both Transfer-Encoding and Content-Length');
    const big = await raw(port, `GET /api HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const badChunk = await raw(
      port,
      'POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    );
    expect(badChunk).toMatch(/^HTTP\/1\.1 404 /);
    await flushAccess();
    // Every refusal is one access line with its reason; the request that was read has its own.
    expect(access.map((a) => [a.status, a.reason])).toEqual([
      [400, 'bad-header'],
      [400, 'te-and-cl'],
      [431, 'head-too-large'],
      [404, undefined],
    ]);
    expect(access[1]).toMatchObject({ method: 'POST', path: '/api' });
  });

  it('carries an 8 MiB response to a slow reader completely', async () => {
    const payload = Buffer.alloc(8 * 1024 * 1024, 0x61);
    payload.write('END', payload.length - 3);
    const u = await upstream('big', (_req, res) => {
      res.writeHead(200, { 'content-length': String(payload.length) });
      res.end(payload);
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/big' }, (res) => {
        const parts: Buffer[] = [];
        res.pause();
        // Read in bursts, so the gateway has to hold the upstream back.
        const timer = setInterval(() => res.read() ?? undefined, 5);
        res.on('readable', () => {
          let c: Buffer | null;
          while ((c = res.read() as Buffer | null) !== null) parts.push(c);
        });
        res.on('end', () => {
          clearInterval(timer);
          resolve(Buffer.concat(parts));
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(got.length).toBe(payload.length);
    expect(got.equals(payload)).toBe(true);
  });

  it('carries an 8 MiB upload to a slow-reading upstream completely (request backpressure)', async () => {
    const u = await upstream('sink', (req, res) => {
      let n = 0;
      const hash = createHash('sha256');
      req.pause();
      // Reads in bursts, so the gateway has to hold the client back.
      const timer = setInterval(() => req.resume(), 5);
      req.on('data', (c: Buffer) => {
        n += c.length;
        hash.update(c);
        req.pause();
      });
      req.on('end', () => {
        clearInterval(timer);
        res.end(`${n}:${hash.digest('hex')}`);
      });
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 12)) & 0xff;
    const sum = createHash('sha256').update(payload).digest('hex');
    for (const chunked of [false, true]) {
      const parts: Buffer[] = [];
      for (let off = 0; off < payload.length; off += 64 * 1024)
        parts.push(payload.subarray(off, off + 64 * 1024));
      const r = await send(port, '/api/up', {
        method: 'POST',
        headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(payload.length) },
        body: parts,
      });
      expect(r.status).toBe(200);
      expect(r.body).toBe(`${payload.length}:${sum}`);
    }
  });

  it('ends idle client connections, also one that ignores connection: close and stays half-open', async () => {
    const u = await upstream('i');
    const gw = new Gateway(settings(), {
      onAccess: () => undefined,
      portOverride: 0,
      drainMs: 200,
      clientIdleMs: 300,
    });
    const { port } = await gw.start();
    cleanups.push(() => gw.stop());
    gw.setReplicas('api', [replica(u, 1)]);
    const open = (req?: string) =>
      new Promise<{ sock: Socket; got: () => string; ended: Promise<number>; closed: Promise<number> }>(
        (resolve) => {
          // Half-open allowed: the client decides when to end its side (here: never).
          const sock = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
          let got = '';
          sock.on('data', (d: Buffer) => (got += d.toString()));
          sock.on('error', () => undefined);
          const ended = new Promise<number>((r) => sock.on('end', () => r(Date.now())));
          const closed = new Promise<number>((r) => sock.on('close', () => r(Date.now())));
          sock.on('connect', () => {
            if (req) sock.write(req);
            resolve({ sock, got: () => got, ended, closed });
          });
        },
      );
    const t0 = Date.now();
    const idle = await open();
    // An idle keep-alive connection is ended by the gateway after clientIdleMs.
    expect((await idle.ended) - t0).toBeGreaterThanOrEqual(250);
    const stubborn = await open('GET /api/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await stubborn.ended;
    expect(stubborn.got()).toMatch(/^HTTP\/1\.1 200 /);
    // The gateway ended its side at once; once the idle time is over it lets go of the socket
    // altogether, so bytes sent now are refused (reset) rather than read and dropped for ever.
    await new Promise((r) => setTimeout(r, 700));
    stubborn.sock.write('more');
    // The first write draws the reset, the second one fails on it.
    setTimeout(() => stubborn.sock.write('again'), 50);
    const closedAt = await stubborn.closed;
    expect(closedAt - t0).toBeLessThan(4_000);
    idle.sock.destroy();
  });

  it('lets an in-flight request finish on stop() and closes idle connections', async () => {
    const u = await upstream('slow', (_req, res) => void setTimeout(() => res.end('done'), 200));
    const access: AccessEntry[] = [];
    const gw = new Gateway(settings(), { onAccess: (e) => access.push(e), portOverride: 0, drainMs: 2000 });
    const { port } = await gw.start();
    gw.setReplicas('api', [replica(u, 1)]);
    const idle = connect(port, '127.0.0.1');
    const idleClosed = new Promise((r) => idle.on('close', r));
    await new Promise((r) => idle.on('connect', r));
    const pending = send(port, '/api/slow');
    await until(() => u.paths.length === 1);
    const stopped = gw.stop();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body).toBe('done');
    expect(r.headers['connection']).toBe('close');
    await idleClosed;
    await stopped;
    expect(access).toHaveLength(1);
  });
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function freeTcpPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/** A gateway on a port from its settings (no --gateway-port override), as `orch up` runs it. */
async function unpinned() {
  const gw = new Gateway(settings({ port: await freeTcpPort() }), {
    onAccess: () => undefined,
    drainMs: 500,
  });
  const { port } = await gw.start();
  cleanups.push(() => gw.stop());
  return { gw, port };
}

describe('the gateway listener follows a live edit', () => {
  it('moves to a new port: new requests there, the old port closed, a request in flight answered', async () => {
    const u = await upstream('m', (req, res) => {
      if (req.url === '/api/slow') setTimeout(() => res.end('slow done'), 300);
      else res.end('m');
    });
    const { gw, port } = await unpinned();
    gw.setReplicas('api', [replica(u, 1)]);
    const inFlight = send(port, '/api/slow');
    await until(() => u.paths.length === 1);
    const next = await freeTcpPort();
    const at = await gw.setListener(settings({ port: next }));
    expect(at).toEqual({ host: '127.0.0.1', port: next });
    expect(gw.address).toEqual(at);
    expect((await send(next, '/api/x')).body).toBe('m');
    const slow = await inFlight;
    expect(slow.body).toBe('slow done');
    expect(slow.headers['connection']).toBe('close');
    await expect(send(port, '/api/x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps serving where it was when the new port is taken', async () => {
    const u = await upstream('k');
    const { gw, port } = await unpinned();
    gw.setReplicas('api', [replica(u, 1)]);
    const other = await gateway();
    const err = await gw.setListener(settings({ port: other.port })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).code).toBe('PORT_TAKEN');
    expect(gw.address?.port).toBe(port);
    expect((await send(port, '/api/x')).body).toBe('k');
  });

  it('applies a new timeout to the next requests', async () => {
    const u = await upstream('t', (_req, res) => void setTimeout(() => res.end('late'), 600));
    const { gw, port } = await unpinned();
    gw.setReplicas('api', [replica(u, 1)]);
    expect((await send(port, '/api/a')).status).toBe(200);
    await gw.setListener(settings({ port, timeoutMs: 150 }));
    const t0 = Date.now();
    expect((await send(port, '/api/b')).status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(550);
    expect(gw.address?.port).toBe(port);
  });

  it('stays on the --gateway-port override whatever port the file says', async () => {
    const u = await upstream('o');
    const gw = new Gateway(settings({ port: 1 }), {
      onAccess: () => undefined,
      portOverride: 0,
      drainMs: 200,
    });
    const first = await gw.start();
    cleanups.push(() => gw.stop());
    gw.setReplicas('api', [replica(u, 1)]);
    expect(await gw.setListener(settings({ port: 2 }))).toEqual(first);
    expect((await send(first.port, '/api/x')).body).toBe('o');
  });
});

/** A raw client connection: what it has read so far, and a way to write more. */
function client(port: number) {
  const sock = connect(port, '127.0.0.1');
  const c = { got: '', closed: false, sock };
  sock.on('data', (d: Buffer) => (c.got += d.toString('latin1')));
  sock.on('error', () => undefined);
  sock.on('close', () => (c.closed = true));
  cleanups.push(async () => void sock.destroy());
  return c;
}

describe('framing, upgrades and limits (issue 13)', () => {
  it('a Connection listing of Content-Length or the stamps strips neither: the pipelined request stays separate', async () => {
    const bodies: string[] = [];
    const u = await upstream('a', (req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.end(`got ${req.url}`);
      });
    });
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(
      port,
      'POST /api/a HTTP/1.1\r\nHost: x\r\nConnection: content-length, x-request-id, x-forwarded-for, host\r\n' +
        'X-Request-Id: mine\r\nContent-Length: 5\r\n\r\nhello' +
        'GET /api/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect([...out.matchAll(/got (\/api\/\w)/g)].map((m) => m[1])).toEqual(['/api/a', '/api/b']);
    expect(u.paths).toEqual(['/api/a', '/api/b']);
    expect(bodies).toEqual(['hello', '']);
    expect(u.seen[0]).toMatchObject({ host: 'x', 'x-request-id': 'mine', 'content-length': '5' });
    expect(u.seen[0]!['x-forwarded-for']).toBe('127.0.0.1');
    await flushAccess();
    expect(access.map((a) => a.path)).toEqual(['/api/a', '/api/b']);
  });

  it("re-frames a response whose upstream listed Content-Length in Connection; the client's connection stays usable", async () => {
    const u = await tcpUpstream('listed', (_req, sock) => {
      sock.write(
        'HTTP/1.1 200 OK\r\nConnection: content-length, x-request-id\r\nContent-Length: 2\r\n\r\nok',
      );
    });
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(
      port,
      'GET /api/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const heads = out.split(/\r\n\r\nok/);
    expect(heads).toHaveLength(3);
    for (const h of heads.slice(0, 2)) {
      expect(h).toMatch(/\r\ncontent-length: 2(\r\n|$)/i);
      expect(h).toMatch(/\r\nx-request-id: [0-9a-f]{32}/i);
    }
  });

  it('an Upgrade the upstream refuses is a plain response, and the connection goes back to HTTP', async () => {
    const u = await tcpUpstream('no-ws', (req, sock) => {
      if (/\r\nupgrade:/i.test(req))
        sock.end('HTTP/1.1 426 Upgrade Required\r\ncontent-length: 4\r\n\r\nnope');
      else sock.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nafter');
    });
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(
      port,
      'GET /api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n' +
        'GET /api/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(out).toMatch(
      /^HTTP\/1\.1 426 Upgrade Required\r\n[\s\S]*\r\n\r\nnopeHTTP\/1\.1 200 OK\r\n[\s\S]*after$/,
    );
    // The pipelined request reached the upstream as a request of its own, not as tunnel bytes.
    expect(u.paths).toEqual(['/api/ws', '/api/after']);
    await flushAccess();
    expect(access.map((a) => a.status)).toEqual([426, 200]);
  });

  it('tunnels only after the 101: bytes the client sent early are held until then', async () => {
    let beforeSwitch = '';
    let afterSwitch = '';
    const u = await tcpUpstream('ws', (_req, sock) => {
      sock.removeAllListeners('data');
      sock.on('data', (d: Buffer) => (beforeSwitch += d.toString()));
      setTimeout(() => {
        sock.removeAllListeners('data');
        sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        sock.on('data', (d: Buffer) => {
          afterSwitch += d.toString();
          sock.write(`echo:${d.toString()}`);
        });
      }, 150);
    });
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const c = client(port);
    c.sock.write(
      'GET /api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly-frame',
    );
    await until(() => c.got.includes('echo:early-frame'));
    expect(beforeSwitch).toBe('');
    expect(afterSwitch).toBe('early-frame');
    expect(c.got).toMatch(
      /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*connection: upgrade\r\nupgrade: websocket\r\n/i,
    );
    await flushAccess();
    expect(access).toMatchObject([{ status: 101, replica: 'ws' }]);
  });

  it('refuses CONNECT, even with Upgrade headers, and a body on an Upgrade, with nothing forwarded', async () => {
    const u = await upstream('a');
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const connectOut = await raw(
      port,
      'CONNECT /api HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(connectOut).toMatch(/^HTTP\/1\.1 405 /);
    const bodyOut = await raw(
      port,
      'POST /api/ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(bodyOut).toMatch(/^HTTP\/1\.1 400 /);
    expect(u.paths).toEqual([]);
    await flushAccess();
    expect(access.map((a) => [a.status, a.reason])).toEqual([
      [405, 'connect'],
      [400, 'upgrade-with-body'],
    ]);
  });

  it('answers a bare-LF head 400 at once, and sends no 100 Continue to an HTTP/1.0 client', async () => {
    const u = await upstream('a', (req, res) => {
      req.resume();
      req.on('end', () => res.end('done'));
    });
    const { gw, port, access } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const t0 = Date.now();
    const lf = await raw(port, 'GET /api HTTP/1.1\nHost: x\n\n');
    expect(lf).toMatch(/^HTTP\/1\.1 400 /);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const c = client(port);
    c.sock.write('POST /api/e HTTP/1.0\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.got).toBe('');
    c.sock.write('hello');
    await until(() => c.got.includes('done'));
    expect(c.got).not.toContain('100 Continue');
    await flushAccess();
    expect(access[0]).toMatchObject({ status: 400, reason: 'bare-lf', path: '/api' });
  });

  it('routes an absolute-form target by its host and passes the origin-form path', async () => {
    const u = await upstream('a');
    const { gw, port } = await gateway();
    gw.setReplicas('api', [replica(u, 1)]);
    const out = await raw(
      port,
      'GET http://api.test:8080/api/abs?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n',
    );
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    expect(u.paths).toEqual(['/api/abs?q=1']);
    expect(u.seen[0]).toMatchObject({ host: 'api.test:8080', 'x-forwarded-host': 'api.test:8080' });
  });

  it('answers 408 to a head that does not arrive within header_timeout, 431 past max_headers', async () => {
    const { port, access } = await gateway(settings({ headerTimeoutMs: 300, maxHeaders: 5 }));
    const t0 = Date.now();
    const slow = await raw(port, 'GET /api HTTP/1.1\r\nHost: x\r\n');
    expect(slow).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const many = await raw(port, `GET /api HTTP/1.1\r\nHost: x\r\n${'X-A: 1\r\n'.repeat(5)}\r\n`);
    expect(many).toMatch(/^HTTP\/1\.1 431 /);
    await flushAccess();
    expect(access.map((a) => [a.status, a.reason])).toEqual([
      [408, 'header-timeout'],
      [431, 'too-many-headers'],
    ]);
  });

  it('answers 503 past max_connections and serves again once one closes', async () => {
    const u = await upstream('a');
    const { gw, port, access } = await gateway(settings({ maxConnections: 2 }));
    gw.setReplicas('api', [replica(u, 1)]);
    const a = client(port);
    const b = client(port);
    a.sock.write('GET /api/a HTTP/1.1\r\nHost: x\r\n\r\n');
    b.sock.write('GET /api/b HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => a.got.includes('\r\n\r\na') && b.got.includes('\r\n\r\na'));
    const third = await raw(port, 'GET /api/c HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(third).toMatch(/^HTTP\/1\.1 503 /);
    a.sock.destroy();
    await until(() => a.closed);
    await new Promise((r) => setTimeout(r, 50));
    expect(await raw(port, 'GET /api/d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 /,
    );
    await flushAccess();
    expect(access.filter((x) => x.reason !== undefined).map((x) => [x.status, x.reason])).toEqual([
      [503, 'too-many-connections'],
    ]);
  });

  it('lets a slow upload that keeps moving run past the request timeout', async () => {
    const u = await upstream('a', (req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`len=${n}`));
    });
    const { gw, port } = await gateway(settings({ timeoutMs: 600 }));
    gw.setReplicas('api', [replica(u, 1)]);
    const c = client(port);
    c.sock.write('POST /api/up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n');
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      c.sock.write('x');
    }
    await until(() => c.closed, 5_000);
    expect(Date.now() - t0).toBeGreaterThan(1_500);
    expect(c.got).toMatch(/^HTTP\/1\.1 200 [\s\S]*len=10$/);
  });
});
