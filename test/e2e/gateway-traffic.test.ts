import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './browser.js';
import {
  cliPath,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('traffic');

/**
 * Answers JSON naming its service (NAME), its container and how many POSTs it has seen; after a
 * GET of /_fail it answers 503 to everything but /health, so it stays healthy and in rotation.
 */
const server = `
const http = require('node:http');
const os = require('node:os');
let failing = false;
let posts = 0;
const s = http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  let n = 0;
  q.on('data', (d) => (n += d.length));
  q.on('end', () => {
    r.setHeader('content-type', 'application/json');
    if (q.url === '/_fail') {
      failing = true;
      return r.end(JSON.stringify({ host: os.hostname() }));
    }
    if (q.method === 'POST') posts++;
    r.statusCode = failing ? 503 : 200;
    r.end(JSON.stringify({ name: process.env.NAME, host: os.hostname(), posts, bodyLength: n }));
  });
});
s.keepAliveTimeout = 65000;
s.listen(3000);
process.on('SIGTERM', () => { s.close(() => process.exit(0)); setTimeout(() => process.exit(0), 1000); });
`;

const service = (svc: string, replicas: number): string => `
  ${svc}:
    image: node:20-slim
    command: ["node", "/srv/server.js"]
    environment: { NAME: ${svc} }
    volumes: ["./server.js:/srv/server.js:ro"]
    deploy: { replicas: ${replicas} }
    x-orch:
      probe: { http: { path: /health, port: 3000 }, interval: 300ms, retries: 3, start_period: 20s }`;

const yaml = `
name: ${name}
services:${service('api', 1)}${service('next', 1)}${service('flaky', 3)}
x-orch:
  gateway:
    port: 8080
    timeout: 5s
    routes:
      - path: /split
        balance: weighted
        services: [{ service: api, weight: 90 }, { service: next, weight: 10 }]
        port: 3000
      - path: /flaky
        service: flaky
        port: 3000
        strip_prefix: true
        retries: { attempts: 2, per_try_timeout: 2s, budget: 50% }
        breaker: { consecutive_failures: 3, open_for: 60s }
      - path: /post
        service: flaky
        port: 3000
        strip_prefix: true
        retries: { attempts: 2, budget: 50% }
`;

interface Answer {
  name: string;
  host: string;
  posts: number;
  bodyLength: number;
}

let dir = '';
let base = '';

describe('gateway traffic control on a real engine', () => {
  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml, 'server.js': server });
    const up = await orch(['up', '-d', '--wait', '--timeout', '120', '--gateway-port', '0'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    base = gatewayUrl(up.stderr);
  }, 150_000);
  afterAll(async () => {
    await orch(['down', '-t', '0', '-v'], { cwd: dir });
    forceClean(name);
    expect(leftovers(name).containers).toEqual([]);
  }, 60_000);

  it('splits 90/10 within ±3% over 10,000 requests', async () => {
    const counts = new Map<string, number>();
    // node:http with kept-alive sockets: fetch costs more per request than the gateway does.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const once = (): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        get(`${base}/split/`, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < 10_000) {
        sent++;
        const r = await once();
        expect(r.status).toBe(200);
        const body = JSON.parse(r.body) as Answer;
        counts.set(body.name, (counts.get(body.name) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    const api = counts.get('api') ?? 0;
    const canary = counts.get('next') ?? 0;
    expect(api + canary).toBe(10_000);
    expect(Math.abs(canary / 10_000 - 0.1)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(api / 10_000 - 0.9)).toBeLessThanOrEqual(0.03);
  }, 60_000);

  it('a replica answering 503: GETs are retried on others (no 503 reaches the client), its breaker opens, events say so', async () => {
    const events = spawn(process.execPath, [cliPath, 'events', '--json', '--since', '10m'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let evText = '';
    events.stdout.on('data', (d: Buffer) => (evText += d.toString()));
    try {
      const bad = ((await (await fetch(`${base}/flaky/_fail`)).json()) as { host: string }).host;
      const hosts = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${base}/flaky/x`);
        expect(r.status).toBe(200);
        const body = (await r.json()) as Answer;
        expect(body.host).not.toBe(bad);
        hosts.add(body.host);
      }
      expect(hosts.size).toBe(2);
      const g = await orch(['gateway', '--json'], { cwd: dir });
      expect(g.code, g.stderr).toBe(0);
      const stats = JSON.parse(g.stdout) as {
        stats: {
          routes: {
            route: string;
            retries: number;
            errors: number;
            replicas: { replica: string; breaker: string; errors: number }[];
          }[];
        };
      };
      const flaky = stats.stats.routes.find((r) => r.route === '/flaky');
      // Three 503s opened the breaker, each retried elsewhere; the route itself answered no error.
      expect(flaky?.retries).toBe(3);
      expect(flaky?.errors).toBe(0);
      const states = (flaky?.replicas ?? []).map((r) => r.breaker).sort();
      expect(states).toEqual(['closed', 'closed', 'open']);
      expect(flaky?.replicas.find((r) => r.breaker === 'open')?.errors).toBe(3);
      // The table shows it too.
      const table = await orch(['gateway'], { cwd: dir });
      expect(table.stdout).toContain('breaker open');
      // And so does the dashboard's gateway page.
      if (hasChromium) {
        const url = (await orch(['dashboard'], { cwd: dir })).stdout.trim();
        const ctx = await launchChromium();
        try {
          const page = ctx.pages()[0] ?? (await ctx.newPage());
          await page.goto(url);
          await page.click('nav a[data-page="gateway"]');
          const row = page.locator('#gateway tr[data-breaker="open"]');
          await row.waitFor({ timeout: 15_000 });
          expect(await row.count()).toBe(1);
          expect(await row.innerText()).toContain('breaker open');
        } finally {
          await ctx.close();
        }
      }
      await waitUntil(() => evText.includes('"type":"breaker"'), 10_000, 'a breaker event');
      const ev = evText
        .split('\n')
        .filter((l) => l.includes('"type":"breaker"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(ev).toEqual([
        expect.objectContaining({ type: 'breaker', service: 'flaky', state: 'open', route: '/flaky' }),
      ]);
    } finally {
      events.kill('SIGINT');
    }
  }, 60_000);

  it('a POST with a body is never retried: the failing replica saw it once, the client gets its 503', async () => {
    // /post reaches the same replicas, one of them failing since the test above, with no breaker.
    let bad: Answer | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${base}/post/`, { method: 'POST', body: 'x'.repeat(100) });
      const body = (await r.json()) as Answer;
      expect(body.bodyLength).toBe(100);
      if (r.status === 503) bad = body;
      else expect(r.status).toBe(200);
    }
    // Round robin over three: exactly one landed on the failing replica, and only there.
    expect(bad).toBeDefined();
    const before = bad?.posts ?? 0;
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${base}/post/`, { method: 'POST', body: 'y'.repeat(10) });
      const body = (await r.json()) as Answer;
      if (body.host === bad?.host) {
        expect(r.status).toBe(503);
        // Seen once more: once per POST sent, never twice.
        expect(body.posts).toBe(before + 1);
      } else expect(r.status).toBe(200);
    }
    // GETs on the same route are retried instead: the client sees only 200s from the others.
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${base}/post/`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as Answer).host).not.toBe(bad?.host);
    }
  }, 60_000);
});
