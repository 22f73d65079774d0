import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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
  opts: { method?: string; headers?: Record<string, string>; body?: string[] } = {},
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

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
