import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import {
  docker,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('gw');

/**
 * The echo service: JSON naming the container, the URL, the headers, the connection (per
 * container) and the body length; an Upgrade to `refuse` is answered 426, others switch and echo.
 */
const server = `
const http = require('node:http');
const os = require('node:os');
let conns = 0;
const s = http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  let n = 0;
  q.on('data', (d) => (n += d.length));
  q.on('end', () => {
    r.setHeader('content-type', 'application/json');
    r.end(JSON.stringify({ host: os.hostname(), url: q.url, headers: q.headers, conn: q.socket.connId, bodyLength: n }));
  });
});
s.on('connection', (c) => { c.connId = ++conns; });
s.on('upgrade', (q, sock) => {
  if (q.headers.upgrade === 'refuse') {
    sock.end('HTTP/1.1 426 Upgrade Required\\r\\ncontent-length: 4\\r\\nconnection: close\\r\\n\\r\\nnope');
    return;
  }
  sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  sock.pipe(sock);
});
s.keepAliveTimeout = 65000;
s.listen(3000);
process.on('SIGTERM', () => { s.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000); });
`;
let dir = '';
let base = '';

const yaml = `
name: ${name}
services:
  echo:
    image: node:20-slim
    command: ["node", "/srv/server.js"]
    restart: unless-stopped
    volumes: ["./server.js:/srv/server.js:ro"]
    deploy: { replicas: 3 }
    x-orch:
      probe:
        http: { path: /health, port: 3000 }
        interval: 300ms
        retries: 1 # no retry to hide a probe that runs before the port is published
x-orch:
  gateway:
    port: 8080
    timeout: 2s
    routes:
      - path: /echo
        service: echo
        port: 3000
        strip_prefix: true
`;

interface Echo {
  host: string;
  url: string;
  headers: Record<string, string>;
  conn: number;
  bodyLength: number;
}

/** One raw client connection to the gateway, reading whole responses (Content-Length framed). */
function rawClient(port: number) {
  const sock = connect(port, '127.0.0.1');
  let buf = '';
  let closed = false;
  sock.on('data', (d: Buffer) => (buf += d.toString('latin1')));
  sock.on('close', () => (closed = true));
  sock.on('error', () => undefined);
  /** The next whole response: status and body. */
  const next = async (): Promise<{ status: number; body: string }> => {
    let out: { status: number; body: string } | undefined;
    await waitUntil(
      () => {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return false;
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return false;
        out = { status: Number(buf.slice(9, 12)), body: buf.slice(end + 4, end + 4 + len) };
        buf = buf.slice(end + 4 + len);
        return true;
      },
      20_000,
      'a whole response',
    );
    return out as { status: number; body: string };
  };
  return { sock, next, closed: () => closed };
}

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('the gateway on a real engine', () => {
  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml, 'server.js': server });
    const up = await orch(['up', '-d', '--wait', '--timeout', '90', '--gateway-port', '0'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    base = gatewayUrl(up.stderr);
  });
  afterAll(async () => {
    await orch(['down', '-t', '0', '-v'], { cwd: dir });
    forceClean(name);
  });

  it('rotates strictly over the 3 replicas, and strips the prefix', async () => {
    const hosts: string[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await get('/echo/hello?x=1');
      expect(r.status).toBe(200);
      const body = JSON.parse(r.body) as Echo;
      expect(body.url).toBe('/hello?x=1');
      hosts.push(body.host);
    }
    const first = hosts.slice(0, 3);
    expect(new Set(first).size).toBe(3);
    expect(hosts).toEqual([...first, ...first, ...first]);
  });

  it("passes the client's x-request-id to the service, and a valid traceparent continuing the client's trace", async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await get('/echo/', {
      'x-request-id': 'client-id-1',
      traceparent: `00-${trace}-00f067aa0ba902b7-01`,
    });
    const body = JSON.parse(r.body) as Echo;
    expect(body.headers['x-request-id']).toBe('client-id-1');
    expect(r.headers.get('x-request-id')).toBe('client-id-1');
    expect(body.headers['traceparent']).toMatch(
      new RegExp(`^00-${trace}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`),
    );
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    // Without one, the gateway makes both.
    const fresh = JSON.parse((await get('/echo/')).body) as Echo;
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{16,}$/);
    expect(fresh.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('loses no GET when a replica is killed under load', async () => {
    let ok = 0;
    const failures: string[] = [];
    const until = Date.now() + 4_000;
    const client = async (): Promise<void> => {
      while (Date.now() < until) {
        try {
          const r = await get('/echo/load');
          if (r.status === 200) ok++;
          else failures.push(`status ${r.status}: ${r.body}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const load = Promise.all([client(), client(), client(), client()]);
    await new Promise((r) => setTimeout(r, 1_000));
    docker(['kill', `${name}-echo-2`]);
    await load;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
  });

  it('passes an Upgrade through, both ways', async () => {
    const port = Number(new URL(base).port);
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString()));
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET /echo/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await waitUntil(() => got.includes('101 Switching Protocols'), 20_000, '101');
    sock.write('ping-through-the-tunnel');
    await waitUntil(() => got.includes('ping-through-the-tunnel'), 20_000, 'echo');
    sock.destroy();
  });

  it('answers pipelined requests in order, and keeps connections alive on both sides', async () => {
    const port = Number(new URL(base).port);
    const c = rawClient(port);
    c.sock.write([1, 2, 3, 4, 5, 6].map((i) => `GET /echo/p${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) urls.push((JSON.parse((await c.next()).body) as Echo).url);
    expect(urls).toEqual(['/p1', '/p2', '/p3', '/p4', '/p5', '/p6']);
    // One at a time on the same client connection: each replica answers on one kept-alive connection.
    const seen = new Map<string, Set<number>>();
    for (let i = 0; i < 9; i++) {
      c.sock.write(`GET /echo/k${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const e = JSON.parse((await c.next()).body) as Echo;
      seen.set(e.host, (seen.get(e.host) ?? new Set()).add(e.conn));
    }
    expect(c.closed()).toBe(false);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    for (const conns of seen.values()) expect(conns.size).toBe(1);
    c.sock.destroy();
  });

  it('an Upgrade the service refuses is a plain response; the connection then carries the next request', async () => {
    const c = rawClient(Number(new URL(base).port));
    c.sock.write(
      'GET /echo/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: refuse\r\n\r\n' +
        'GET /echo/after HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(await c.next()).toEqual({ status: 426, body: 'nope' });
    const after = await c.next();
    expect(after.status).toBe(200);
    expect((JSON.parse(after.body) as Echo).url).toBe('/after');
    c.sock.destroy();
  });

  it('lets a slow upload that keeps moving run past the 2 s request timeout', async () => {
    const c = rawClient(Number(new URL(base).port));
    c.sock.write('POST /echo/up HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n');
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 400));
      c.sock.write('u');
    }
    const r = await c.next();
    expect(Date.now() - t0).toBeGreaterThan(2_500);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as Echo).bodyLength).toBe(8);
    c.sock.destroy();
  });

  it('follows orch scale, and answers 502 JSON naming the route when no replica is left', async () => {
    const down = await orch(['scale', 'echo=0'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    const r = await get('/echo/');
    expect(r.status).toBe(502);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain('/echo');
    expect(JSON.stringify(body)).toContain('echo');

    const up = await orch(['scale', 'echo=2'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    // Each new replica joins the rotation once its probe passes.
    await waitUntil(
      async () => {
        const hosts = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const r = await get('/echo/');
          if (r.status === 200) hosts.add((JSON.parse(r.body) as Echo).host);
        }
        return hosts.size === 2;
      },
      20_000,
      'both replicas in rotation',
    );
    expect(leftovers(name).containers).toHaveLength(2);
  });

  it('shows per-replica stats', async () => {
    const r = await orch(['gateway', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as { stats: { routes: { route: string; requests: number }[] } };
    expect(stats.stats.routes[0]?.route).toBe('/echo');
    expect(stats.stats.routes[0]?.requests).toBeGreaterThan(100);
  });
});
