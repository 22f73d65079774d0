import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Gateway,
  type AccessEntry,
  type GatewayReplica,
  type GatewayStats,
} from '../../src/adapters/gateway/index.js';
import type { BreakerChange } from '../../src/core/gateway/index.js';
import type { GatewayRoute, GatewaySettings } from '../../src/model/project.js';

const pos = { file: 'orch.yaml', line: 1, col: 1 };

interface Up {
  readonly name: string;
  readonly port: number;
  /** Requests it received: method and body length. */
  readonly seen: { method: string; body: number }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An upstream answering `status()` (200 by default) with its name, after reading the body. */
async function upstream(
  name: string,
  status: () => number = () => 200,
  delayMs: () => number = () => 0,
): Promise<Up> {
  const seen: { method: string; body: number }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = 0;
    req.on('data', (d: Buffer) => (body += d.length));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', body });
      const answer = (): void => {
        res.statusCode = status();
        res.end(name);
      };
      const d = delayMs();
      if (d > 0) setTimeout(answer, d);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { name, port: (server.address() as AddressInfo).port, seen };
}

function replica(u: Up, service: string, n: number): GatewayReplica {
  return {
    id: `id-${u.name}`,
    name: u.name,
    service,
    replica: n,
    healthy: true,
    ports: [{ containerPort: 3000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: u.port }],
  };
}

function route(over: Partial<GatewayRoute>): GatewayRoute {
  return { path: '/', service: 'api', port: 3000, stripPrefix: false, balance: 'round_robin', pos, ...over };
}

async function gateway(routes: GatewayRoute[], timeoutMs = 5_000) {
  const access: AccessEntry[] = [];
  const breakers: BreakerChange[] = [];
  const settings: GatewaySettings = { port: 0, host: '127.0.0.1', timeoutMs, routes };
  const gw = new Gateway(settings, {
    onAccess: (e) => access.push(e),
    onBreaker: (c) => breakers.push(c),
    portOverride: 0,
    drainMs: 500,
    // Fixed jitter: the backoff is its minimum, every time.
    random: () => 0,
  });
  const { port } = await gw.start();
  cleanups.push(() => gw.stop());
  return { gw, port, access, breakers };
}

function send(port: number, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/x', method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const flushAccess = () => new Promise((r) => setImmediate(r));
const stats = (gw: Gateway): GatewayStats => gw.stats();

describe('gateway traffic control over real sockets', () => {
  it('weighted: splits 3:1 over two services exactly, interleaved', async () => {
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const { gw, port } = await gateway([
      route({
        balance: 'weighted',
        services: [
          { service: 'api', weight: 3 },
          { service: 'next', weight: 1 },
        ],
      }),
    ]);
    gw.setReplicas('api', [replica(a, 'api', 1)]);
    gw.setReplicas('next', [replica(b, 'next', 1)]);
    const got: string[] = [];
    for (let i = 0; i < 40; i++) got.push((await send(port)).body);
    expect(got.filter((x) => x === 'b')).toHaveLength(10);
    expect(got.join('')).not.toContain('bb');
    const s = stats(gw).routes[0];
    expect(s?.services).toEqual([
      { service: 'api', weight: 3 },
      { service: 'next', weight: 1 },
    ]);
    expect(s?.replicas.map((r) => [r.service, r.requests])).toEqual([
      ['api', 30],
      ['next', 10],
    ]);
  });

  it('retries a GET answered 503 on another replica; the client sees 200 and the line says retries=1', async () => {
    const bad = await upstream('bad', () => 503);
    const good = await upstream('good');
    const { gw, port, access } = await gateway([route({ retries: { attempts: 2, budget: 0.2 } })]);
    gw.setReplicas('api', [replica(bad, 'api', 1), replica(good, 'api', 2)]);
    const r = await send(port);
    expect(r).toEqual({ status: 200, body: 'good' });
    expect(bad.seen).toHaveLength(1);
    expect(good.seen).toHaveLength(1);
    await flushAccess();
    expect(access[0]).toMatchObject({ status: 200, replica: 'good', retries: 1 });
    expect(stats(gw).routes[0]?.retries).toBe(1);
  });

  it('never retries a POST with a body: the upstream saw it once, the client gets its 503', async () => {
    const bad = await upstream('bad', () => 503);
    const good = await upstream('good');
    const { gw, port, access } = await gateway([route({ retries: { attempts: 2, budget: 1 } })]);
    gw.setReplicas('api', [replica(bad, 'api', 1), replica(good, 'api', 2)]);
    const r = await send(port, 'POST', 'payload');
    expect(r).toEqual({ status: 503, body: 'bad' });
    expect(bad.seen).toEqual([{ method: 'POST', body: 7 }]);
    expect(good.seen).toHaveLength(0);
    await flushAccess();
    expect(access[0]).toMatchObject({ status: 503, retries: 0 });
  });

  it('gives up after `attempts` retries, each on a replica not tried yet, and passes the last answer on', async () => {
    const ups = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((n) => upstream(n, () => 502)));
    const { gw, port, access } = await gateway([route({ retries: { attempts: 2, budget: 1 } })]);
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, 'api', i + 1)),
    );
    const r = await send(port);
    expect(r).toEqual({ status: 502, body: 'r3' });
    expect(ups.map((u) => u.seen.length)).toEqual([1, 1, 1, 0]);
    await flushAccess();
    expect(access[0]?.retries).toBe(2);
  });

  it('per_try_timeout: a slow replica is left for another one', async () => {
    const slow = await upstream(
      'slow',
      () => 200,
      () => 3_000,
    );
    const fast = await upstream('fast');
    const { gw, port } = await gateway([
      route({ retries: { attempts: 1, perTryTimeoutMs: 200, budget: 1 } }),
    ]);
    gw.setReplicas('api', [replica(slow, 'api', 1), replica(fast, 'api', 2)]);
    const t0 = Date.now();
    expect(await send(port)).toEqual({ status: 200, body: 'fast' });
    // Generous margin for a loaded machine; without the per-try timeout it would take 3 s.
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('the budget stops retries past its share: an outage is not multiplied', async () => {
    const ups = await Promise.all(['r1', 'r2'].map((n) => upstream(n, () => 503)));
    const { gw, port } = await gateway([route({ retries: { attempts: 1, budget: 0 } })]);
    gw.setReplicas(
      'api',
      ups.map((u, i) => replica(u, 'api', i + 1)),
    );
    for (let i = 0; i < 30; i++) expect((await send(port)).status).toBe(503);
    // Budget 0%: only the floor of 10 retries in the window.
    expect(stats(gw).routes[0]?.retries).toBe(10);
    expect(ups[0]!.seen.length + ups[1]!.seen.length).toBe(40);
  });

  it('breaker: a replica answering 503 opens after N failures and gets no traffic; events say so', async () => {
    const bad = await upstream('bad', () => 503);
    const good = await upstream('good');
    const { gw, port, breakers } = await gateway([
      route({
        retries: { attempts: 1, budget: 0.2 },
        breaker: { consecutiveFailures: 3, openForMs: 60_000 },
      }),
    ]);
    gw.setReplicas('api', [replica(bad, 'api', 1), replica(good, 'api', 2)]);
    for (let i = 0; i < 20; i++) expect((await send(port)).status).toBe(200);
    expect(bad.seen).toHaveLength(3);
    expect(breakers).toEqual([{ route: '/', service: 'api', replica: 1, state: 'open' }]);
    const replicas = stats(gw).routes[0]?.replicas;
    expect(replicas?.map((r) => [r.replica, r.breaker])).toEqual([
      ['bad', 'open'],
      ['good', 'closed'],
    ]);
  });

  it('breaker: every replica open → 502 naming the route', async () => {
    const bad = await upstream('bad', () => 500);
    const { gw, port } = await gateway([route({ breaker: { consecutiveFailures: 2, openForMs: 60_000 } })]);
    gw.setReplicas('api', [replica(bad, 'api', 1)]);
    expect((await send(port)).status).toBe(500);
    expect((await send(port)).status).toBe(500);
    const r = await send(port);
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ route: '/', error: 'no healthy replica' });
    expect(bad.seen).toHaveLength(2);
  });

  it('breaker: half-open after open_for lets one request test it; a success closes it', async () => {
    let failing = true;
    const flaky = await upstream('flaky', () => (failing ? 500 : 200));
    const { gw, port, breakers } = await gateway([
      route({ breaker: { consecutiveFailures: 1, openForMs: 300 } }),
    ]);
    gw.setReplicas('api', [replica(flaky, 'api', 1)]);
    expect((await send(port)).status).toBe(500);
    expect((await send(port)).status).toBe(502);
    failing = false;
    await new Promise((r) => setTimeout(r, 600));
    expect(breakers.map((b) => b.state)).toEqual(['open', 'half-open']);
    expect((await send(port)).status).toBe(200);
    expect(breakers.map((b) => b.state)).toEqual(['open', 'half-open', 'closed']);
    expect((await send(port)).status).toBe(200);
  });

  it('weighted: a service with no replica drops out of the split, and comes back', async () => {
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const { gw, port } = await gateway([
      route({
        balance: 'weighted',
        services: [
          { service: 'api', weight: 1 },
          { service: 'next', weight: 1 },
        ],
      }),
    ]);
    gw.setReplicas('api', [replica(a, 'api', 1)]);
    gw.setReplicas('next', []);
    const only: string[] = [];
    for (let i = 0; i < 4; i++) only.push((await send(port)).body);
    expect(only).toEqual(['a', 'a', 'a', 'a']);
    gw.setReplicas('next', [replica(b, 'next', 1)]);
    const both: string[] = [];
    for (let i = 0; i < 4; i++) both.push((await send(port)).body);
    expect(both.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('a POST whose connection was refused (nothing sent) is retried elsewhere with its body', async () => {
    const good = await upstream('good');
    const dead = await upstream('dead');
    const { gw, port, access } = await gateway([route({ retries: { attempts: 1, budget: 0.2 } })]);
    gw.setReplicas('api', [replica(dead, 'api', 1), replica(good, 'api', 2)]);
    // Close the first replica's port: its connection is refused.
    await cleanups.splice(cleanups.length - 2, 1)[0]?.();
    const r = await send(port, 'POST', 'payload');
    expect(r).toEqual({ status: 200, body: 'good' });
    expect(good.seen).toEqual([{ method: 'POST', body: 7 }]);
    await flushAccess();
    expect(access[0]).toMatchObject({ replica: 'good', retries: 1 });
  });
});
