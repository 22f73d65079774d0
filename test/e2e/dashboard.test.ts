import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchChromium } from './browser.js';
import {
  docker,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  repoRoot,
  uniqueName,
  waitUntil,
} from './helpers.js';

const SHOTS = join(repoRoot, 'docs');

const name = uniqueName('dash');

/** front answers through the gateway and asks back; both log the request id they were given. */
const front = `
const http = require('node:http');
http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  const id = q.headers['x-request-id'] || '-';
  console.log('front got ' + q.method + ' ' + q.url + ' request_id=' + id);
  http.get('http://back:3000/work', { headers: { 'x-request-id': id } }, (b) => {
    let body = '';
    b.on('data', (c) => (body += c));
    b.on('end', () => { console.log('front answered request_id=' + id); r.end('front+' + body); });
  }).on('error', (e) => { r.statusCode = 502; r.end(String(e)); });
}).listen(3000, () => console.log('front listening'));
`;
const back = `
const http = require('node:http');
http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  console.log('back working request_id=' + (q.headers['x-request-id'] || '-'));
  r.end('back');
}).listen(3000, () => console.log('back listening'));
`;
const yaml = `
name: ${name}
services:
  back:
    image: node:20-slim
    command: ["node", "/srv/back.js"]
    volumes: ["./back.js:/srv/back.js:ro"]
    x-orch:
      probe: { http: { path: /health, port: 3000 }, interval: 500ms }
  front:
    image: node:20-slim
    command: ["node", "/srv/front.js"]
    volumes: ["./front.js:/srv/front.js:ro"]
    deploy: { replicas: 2 }
    depends_on: { back: { condition: service_healthy } }
    x-orch:
      probe: { http: { path: /health, port: 3000 }, interval: 500ms }
x-orch:
  gateway:
    port: 8080
    routes:
      - { path: /, service: front, port: 3000 }
`;

function dashboardUrl(stderr: string): string {
  const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stderr);
  if (!m?.[1]) throw new Error(`no dashboard URL in:\n${stderr}`);
  return m[1];
}

async function shot(page: Page, file: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, file) });
}

describe.skipIf(!hasChromium)('the dashboard in a real browser (Chromium)', () => {
  let dir = '';
  let url = '';
  let gateway = '';
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml, 'front.js': front, 'back.js': back });
    const up = await orch(['up', '-d', '--wait', '--timeout', '120', '--gateway-port', '0'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    url = dashboardUrl(up.stderr);
    gateway = gatewayUrl(up.stderr);
    ctx = await launchChromium();
    page = ctx.pages()[0] ?? (await ctx.newPage());
  });

  afterAll(async () => {
    await ctx?.close();
    await orch(['down', '-t', '0', '-v'], { cwd: dir });
    const left = leftovers(name);
    forceClean(name);
    expect(left).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('orch dashboard prints the same URL (and {"url"} with --json)', async () => {
    const plain = await orch(['dashboard'], { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toBe(url);
    const json = await orch(['dashboard', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual({ url });
  });

  it('refuses a request without the token, or with a foreign Host', async () => {
    const base = url.slice(0, url.indexOf('/?'));
    const bare = await page.request.get(`${base}/api/status`);
    expect(bare.status()).toBe(401);
    const page401 = await page.request.get(`${base}/`);
    expect(page401.status()).toBe(401);
    const rebound = await page.request.get(url, { headers: { host: 'attacker.example' } });
    expect(rebound.status()).toBe(403);
    const cross = await page.request.post(`${url.replace('/?', '/api/actions/stop?')}`, {
      headers: { origin: 'https://attacker.example', 'content-type': 'application/json' },
      data: JSON.stringify({ service: 'back', replica: 1 }),
    });
    expect(cross.status()).toBe(403);
  });

  it('lists every replica healthy', async () => {
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForSelector('tr[data-row]');
    const rendered = Date.now() - t0;
    await waitUntil(
      async () => (await page.locator('tr[data-row][data-health="healthy"]').count()) === 3,
      30_000,
      'three healthy rows',
    );
    const rows = await page
      .locator('tr[data-row]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-row')));
    expect(rows).toEqual(['back-1', 'front-1', 'front-2']);
    expect(rendered).toBeLessThan(10_000);
    await page.waitForTimeout(3500); // CPU % needs two readings
    await shot(page, 'dashboard-services.png');
  });

  it('restart replaces the replica (a new container) and the row comes back healthy', async () => {
    const row = page.locator('tr[data-row="front-1"]');
    const oldId = (await row.getAttribute('data-id')) ?? '';
    expect(oldId).toMatch(/^[0-9a-f]{64}$/);
    await row.locator('button[data-act="restart"]').click();
    await waitUntil(
      async () => {
        const r = page.locator('tr[data-row="front-1"]');
        const id = await r.getAttribute('data-id');
        return (
          id !== null && id !== '' && id !== oldId && (await r.getAttribute('data-health')) === 'healthy'
        );
      },
      90_000,
      'front-1 on a new, healthy container',
    );
    const newId = (await page.locator('tr[data-row="front-1"]').getAttribute('data-id')) ?? '';
    expect(docker(['ps', '-aq', '--no-trunc', '--filter', `id=${oldId}`])).toBe('');
    expect(docker(['inspect', '-f', '{{.State.Running}}', newId])).toBe('true');
  });

  it("shows a gateway request in the logs, and its id leads to the request's lines in every service", async () => {
    // A container replaced a moment ago may not resolve its peers yet (seen once: ENOTFOUND back
    // from the engine's DNS): a few tries, each with its own id; the one that went through is followed.
    let id = '';
    let body = '';
    for (let attempt = 0; attempt < 5 && body !== 'front+back'; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
      id = `e2e-${Math.random().toString(36).slice(2, 10)}`;
      body = await (await fetch(`${gateway}/`, { headers: { 'x-request-id': id } })).text();
    }
    expect(body).toBe('front+back');
    await page.click('nav a[data-page="logs"]');
    const link = page.locator(`#logs a.trace-link:text-is("${id}")`).first();
    await link.waitFor({ timeout: 30_000 });
    await shot(page, 'dashboard-logs.png');
    await link.click();
    await page.waitForSelector('#trace tbody tr');
    await waitUntil(
      async () => (await page.locator('#trace tbody tr[data-service="gateway"]').count()) === 1,
      15_000,
      'the gateway access line in the trace',
    );
    const services = await page
      .locator('#trace tbody tr')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-service')));
    expect(new Set(services)).toEqual(new Set(['front', 'back', 'gateway']));
    await shot(page, 'dashboard-trace.png');
  });

  it('draws the graph, the gateway numbers and the events', async () => {
    await page.click('nav a[data-page="graph"]');
    await page.waitForSelector('#graph g[data-node="front"]');
    await page.waitForSelector('#timeline g[data-timeline="back"]');
    expect(await page.locator('#graph path.edge').count()).toBe(1);
    await shot(page, 'dashboard-graph.png');

    await page.click('nav a[data-page="gateway"]');
    // Rows arrive as the page's refresh brings them: wait for both replicas (a load-proof bound).
    await page.waitForFunction(
      () => document.querySelectorAll('#gateway tr[data-replica]').length >= 2,
      null,
      {
        timeout: 15_000,
      },
    );
    expect(await page.locator('#gateway tr[data-replica]').count()).toBe(2);
    await shot(page, 'dashboard-gateway.png');

    await page.click('nav a[data-page="events"]');
    await page.waitForSelector('#events-list tr');
    await shot(page, 'dashboard-events.png');
  });

  it('keeps working across `orch up -d` replacing the supervisor, history included', async () => {
    const state = join(dir, '.orch', name);
    const oldPid = readFileSync(join(state, 'supervisor.pid'), 'utf8').trim();
    const eventsBefore = await page.locator('#events-list tr').count();
    expect(eventsBefore).toBeGreaterThan(0);

    const again = await orch(['up', '-d', '--wait', '--timeout', '120', '--gateway-port', '0'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(dashboardUrl(again.stderr)).toBe(url);
    const newPid = readFileSync(join(state, 'supervisor.pid'), 'utf8').trim();
    expect(newPid).not.toBe(oldPid);

    // The open page reconnects by itself and is fed by the new supervisor.
    await waitUntil(async () => (await page.locator('#conn').getAttribute('data-state')) === 'live', 30_000);
    await page.click('nav a[data-page="events"]');
    await waitUntil(
      async () => (await page.locator('#events-list tr').count()) >= eventsBefore,
      15_000,
      'the earlier events, read back by the new supervisor',
    );
    const id = `after-${Math.random().toString(36).slice(2, 10)}`;
    const newGateway = gatewayUrl(again.stderr);
    await fetch(`${newGateway}/`, { headers: { 'x-request-id': id } });
    await page.click('nav a[data-page="logs"]');
    await page.locator(`#logs a.trace-link:text-is("${id}")`).first().waitFor({ timeout: 30_000 });
    await page.click('nav a[data-page="services"]');
    await waitUntil(
      async () => (await page.locator('tr[data-row][data-health="healthy"]').count()) === 3,
      30_000,
      'three healthy rows after the replacement',
    );
  });
});
