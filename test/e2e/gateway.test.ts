import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import {
  docker,
  echoServer,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('gw');
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
    dir = projectDir({ 'orch.yaml': yaml, 'server.js': echoServer });
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
