import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliPath,
  forceClean,
  gatewayUrl,
  leftovers,
  orch,
  projectDir,
  ps,
  uniqueName,
  waitUntil,
} from './helpers.js';

/** Debian's wrk (scripts/ensure-wrk.sh installs it); without it this file is skipped. */
const WRK = process.env['ORCH_WRK'] ?? '/usr/bin/wrk';

const name = uniqueName('as');

/** Each answer takes 100 ms, so wrk's 12 connections keep about 12 requests in flight. */
const server = `
const http = require('node:http');
const s = http.createServer((q, r) => {
  if (q.url === '/health') return r.end('ok');
  setTimeout(() => r.end('slow ok'), 100);
});
s.keepAliveTimeout = 65000;
s.listen(3000);
process.on('SIGTERM', () => process.exit(0));
`;

const yaml = `
name: ${name}
services:
  web:
    image: node:20-slim
    command: ["node", "/srv/server.js"]
    volumes: ["./server.js:/srv/server.js:ro"]
    x-orch:
      probe:
        http: { path: /health, port: 3000 }
        interval: 300ms
      autoscale:
        min: 1
        max: 3
        target: { inflight_per_replica: 2 }
        cooldown: 3s
x-orch:
  gateway:
    port: 8080
    routes:
      - path: /
        service: web
        port: 3000
`;

type Ev = Record<string, unknown> & { type: string };

/** `orch events --json --since 10m`, collected line by line. */
function followEvents(cwd: string): { child: ChildProcess; events: Ev[] } {
  const child = spawn(process.execPath, [cliPath, 'events', '--json', '--since', '10m'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Ev[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Ev);
      buf = buf.slice(nl + 1);
    }
  });
  return { child, events };
}

const running = async (dir: string) =>
  (await ps(dir)).filter((r) => r.service === 'web' && r.state === 'running');

describe.skipIf(!existsSync(WRK))('autoscaling under wrk load on a real engine', () => {
  let dir = '';
  let url = '';
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml, 'server.js': server });
    const up = await orch(['up', '-d', '--wait', '--timeout', '90', '--gateway-port', '0'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    url = gatewayUrl(up.stderr);
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    forceClean(name);
  });

  it('scales 1 → ≥ 2 replicas under load and back to 1 after it stops, each decision an event', async () => {
    expect((await running(dir)).length).toBe(1);
    const follower = followEvents(dir);
    children.push(follower.child);
    const began = Date.now();
    const wrk = spawn(WRK, ['-t', '2', '-c', '12', '-d', '60s', `${url}/`], { stdio: 'ignore' });
    children.push(wrk);
    const wrkDone = new Promise<void>((r) => wrk.on('close', () => r()));

    await waitUntil(async () => (await running(dir)).length >= 2, 40_000, 'a second replica under load');
    const isUp = (e: Ev) => e.type === 'autoscale' && (e['to'] as number) > (e['from'] as number);
    await waitUntil(() => follower.events.some(isUp), 10_000, 'the scale-up event');
    expect(follower.events.find(isUp)).toMatchObject({
      service: 'web',
      from: 1,
      metric: 'inflight_per_replica',
      target: 2,
      reason: expect.stringMatching(/^inflight_per_replica [\d.]+ vs target 2 \(above/) as unknown,
    });
    expect(follower.events.find(isUp)?.['value'] as number).toBeGreaterThan(2.2);
    // `scaled` comes once every new replica of that step was created and started: it may follow
    // the second replica's `running` in ps, so it is waited for, not expected at once.
    await waitUntil(
      () => follower.events.some((e) => e.type === 'scaled' && e['service'] === 'web' && e['from'] === 1),
      20_000,
      'the scaled event of the scale-up',
    );
    // While the load lasts the count does not fall back (no flapping under a steady load).
    await new Promise((r) => setTimeout(r, 5000));
    expect((await running(dir)).length).toBeGreaterThanOrEqual(2);
    expect(follower.events.filter((e) => e.type === 'autoscale' && e['to'] === 1)).toEqual([]);

    wrk.kill('SIGINT');
    await wrkDone;
    await waitUntil(
      async () => (await running(dir)).length === 1,
      60_000,
      'back to 1 replica after the load',
    );
    await waitUntil(
      () => follower.events.some((e) => e.type === 'autoscale' && e['to'] === 1),
      10_000,
      'the scale-down event',
    );
    const down = follower.events.filter(
      (e) => e.type === 'autoscale' && (e['to'] as number) < (e['from'] as number),
    );
    expect(down.length).toBeGreaterThanOrEqual(1);
    for (const e of down) expect(e['reason']).toMatch(/\(below by more than 10% for [\d.]+s\)$/);
    expect(Date.now() - began).toBeLessThan(90_000);
  });

  it('leaves nothing behind', async () => {
    const down = await orch(['down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

const cpuName = uniqueName('ascpu');

/**
 * Each replica keeps half a CPU busy (its limit) for its first 15 s, then idles: enough for the
 * engine's stats to see it, short enough that the stack then scales back down on its own.
 */
const cpuYaml = `
name: ${cpuName}
services:
  burn:
    image: busybox:latest
    command: ["sh", "-c", "end=$$(( $$(date +%s) + 15 )); while [ $$(date +%s) -lt $$end ]; do :; done; exec sleep 3600"]
    stop_signal: SIGKILL
    deploy:
      resources:
        limits: { cpus: "0.5" }
    x-orch:
      autoscale:
        min: 1
        max: 2
        target: { cpu_percent: 20 }
        cooldown: 2s
`;

describe('autoscaling on the engine’s CPU figures', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    forceClean(cpuName);
  });

  it('a busy replica brings a second one; both idle, it goes back to 1', async () => {
    dir = projectDir({ 'orch.yaml': cpuYaml });
    const began = Date.now();
    const up = await orch(['up', '-d', '--wait', '--timeout', '60', '--no-dashboard'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const follower = followEvents(dir);
    children.push(follower.child);
    const burning = async () => (await ps(dir)).filter((r) => r.service === 'burn' && r.state === 'running');
    await waitUntil(async () => (await burning()).length === 2, 40_000, 'a second replica on CPU load');
    await waitUntil(
      () => follower.events.some((e) => e.type === 'autoscale' && e['to'] === 2),
      10_000,
      'the scale-up event',
    );
    const upEvent = follower.events.find((e) => e.type === 'autoscale' && e['to'] === 2);
    expect(upEvent).toMatchObject({ service: 'burn', from: 1, metric: 'cpu_percent', target: 20 });
    expect(upEvent?.['value'] as number).toBeGreaterThan(22);
    await waitUntil(async () => (await burning()).length === 1, 60_000, 'back to 1 replica once idle');
    expect(Date.now() - began).toBeLessThan(90_000);
    const down = await orch(['down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(cpuName)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
