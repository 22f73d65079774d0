/// <reference lib="dom" />
// (The page's own code runs in the browser: `document` and `window` are the page's.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchChromium } from './browser.js';
import { DashboardServer, LogFeed } from '../../src/adapters/dashboard/index.js';
import { EventBus } from '../../src/core/events/bus.js';
import type { DashboardSource, ReplicaView } from '../../src/adapters/dashboard/index.js';

// The page at scale, without an engine: 50 services from a plain source, and the real log feed
// over a store of 100,000 lines to which 2,000 lines/s are appended while the Logs page is open.
const SERVICES = 50;
const STORED = 100_000;
const RATE = 2000;

function record(i: number, service: string): string {
  const ts = new Date(Date.UTC(2026, 0, 1) + i).toISOString().slice(0, 23) + '000000Z';
  return JSON.stringify({
    ts,
    service,
    replica: 1,
    stream: 'stdout',
    line: `GET /api/items/${i} 200 12ms request_id=req-${i} user=someone@example.com`,
  });
}

describe.skipIf(!hasChromium)('the dashboard at scale (50 services, 100,000 stored lines)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-dash-scale-'));
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  let feed: LogFeed;
  let server: DashboardServer;
  let ctx: BrowserContext;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    const lines: string[] = [];
    for (let i = 0; i < STORED; i++) lines.push(record(i, names[i % SERVICES] as string));
    writeFileSync(join(dir, 'current.jsonl'), `${lines.join('\n')}\n`);
    feed = new LogFeed(dir);
    await feed.start();
    const rows: ReplicaView[] = names.map((service, i) => ({
      service,
      replica: 1,
      container: `scale-${service}-1`,
      id: `${i}`.padStart(64, 'a'),
      state: 'running',
      health: 'healthy',
      lastProbe: { ok: true, output: 'GET http://127.0.0.1:3000/health → 200' },
      restarts: 0,
      endpoints: [`http://127.0.0.1:${40000 + i}/`],
      startedAt: new Date().toISOString(),
      cpuPercent: 0.4,
      memoryBytes: 40_000_000,
    }));
    const source: DashboardSource = {
      project: 'scale',
      replicas: () => Promise.resolve(rows),
      graph: () => ({
        services: names.map((name, i) => ({
          name,
          replicas: 1,
          dependsOn:
            i === 0
              ? []
              : [{ service: names[Math.floor((i - 1) / 3)] as string, condition: 'service_healthy' }],
        })),
        timeline: [],
      }),
      gateway: () => null,
      events: new EventBus({ now: Date.now }),
      logs: feed,
      act: () => Promise.resolve(),
    };
    server = new DashboardServer(source, { port: 0, token: 'scale-token-0123456789' });
    await server.listen();
    url = server.url;
    ctx = await launchChromium();
    page = ctx.pages()[0] ?? (await ctx.newPage());
  });

  afterAll(async () => {
    await ctx?.close();
    await server?.close();
    feed?.close();
  });

  // The speed goals (rows in under 1 s, a main thread that never stalls) are measured by
  // bench/dashboard on the real stack; this test asserts the behaviour, with bounds that hold on a
  // loaded 2-core machine, and prints the figures it saw.
  it('renders every service of a 50-service stack', async () => {
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-row]').length === n, SERVICES);
    const ms = await page.evaluate(() => performance.now());
    console.log(`services page: ${SERVICES} rows in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(10_000);
  });

  it('keeps the log view responsive while 2,000 lines/s stream in', async () => {
    await page.click('nav a[data-page="logs"]');
    await page.waitForSelector('#logs .logline');
    // The page's main thread: the longest gap between 20 ms ticks while lines stream in.
    await page.evaluate(() => {
      const w = window as unknown as { maxLag: number; last: number };
      w.maxLag = 0;
      w.last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.maxLag = Math.max(w.maxLag, now - w.last - 20);
        w.last = now;
      }, 20);
    });
    let written = STORED;
    const writer = setInterval(() => {
      const batch: string[] = [];
      for (let i = 0; i < RATE / 10; i++, written++)
        batch.push(record(written, names[written % SERVICES] as string));
      appendFileSync(join(dir, 'current.jsonl'), `${batch.join('\n')}\n`);
    }, 100);
    try {
      const newest = (): Promise<string> =>
        page.evaluate(() => document.querySelector('#logs .logline:last-child .text')?.textContent ?? '');
      await page.waitForTimeout(5000);
      const seen = await newest();
      const n = Number(/items\/(\d+)/.exec(seen)?.[1]);
      // The newest line on screen is at most ~2 s behind the writer.
      expect(n).toBeGreaterThan(written - 2 * RATE);
      const streamingLag = await page.evaluate(() => (window as unknown as { maxLag: number }).maxLag);
      console.log(`main-thread lag while streaming: ${Math.round(streamingLag)} ms`);
      // Measured 180–300 ms here: the assertion is that the page never freezes, not a speed goal.
      expect(streamingLag).toBeLessThan(5_000);
      // A filter typed meanwhile applies at once.
      const t0 = Date.now();
      await page.fill('#log-grep', 'items/\\d+7 ');
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#logs .logline .text')).every((e) =>
          /items\/\d+7 /.test(e.textContent ?? ''),
        ),
      );
      console.log(`filter applied in ${Date.now() - t0} ms`);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      clearInterval(writer);
    }
  });
});
