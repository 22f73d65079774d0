import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupMembers, until as untilEvery } from '../procs.js';
import { cliPath, freePort, leftovers, orch, projectDir, projectNames, ps, repoRoot } from './helpers.js';

const project = projectNames();

/** `orch ps` is slower than a /proc read: polled less often, for longer. */
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000) =>
  untilEvery(what, fn, ms, 200);

/** A project: a host-process web server (2 replicas) between a redis it waits for and a container that waits for it. */
function stack(name: string, gatewayPort: number): string {
  const dir = projectDir({
    'orch.yaml': `name: ${name}
services:
  cache:
    image: redis:7
    healthcheck: { test: ["CMD", "redis-cli", "ping"], interval: 500ms, retries: 20 }
  web:
    x-orch:
      process: { command: [node, server.js], cwd: ./web, port: 3000 }
      # node can take over a second to listen on a loaded machine: failures meanwhile do not count
      probe: { http: { path: /health, port: 3000 }, interval: 300ms, start_period: 20s }
      backoff: { initial: 200ms, max: 1s }
    restart: on-failure
    deploy: { replicas: 2 }
    depends_on: { cache: { condition: service_healthy } }
  client:
    image: busybox:latest
    command: ["sh", "-c", "while true; do sleep 1; done"]
    healthcheck:
      test: ["CMD-SHELL", "wget -qO- $$ORCH_WEB_URL/health"]
      interval: 500ms
      retries: 20
    depends_on: { web: { condition: service_healthy } }
x-orch:
  gateway:
    port: ${gatewayPort}
    routes: [{ path: /web, service: web, port: 3000, strip_prefix: true }]
`,
  });
  mkdirSync(join(dir, 'web'));
  const server = readFileSync(join(repoRoot, 'templates/node-host/server.js'), 'utf8')
    .replaceAll('{{name}}', 'web')
    .replaceAll('{{port}}', '3000');
  writeFileSync(join(dir, 'web/server.js'), server);
  return dir;
}

describe('host processes beside containers (real engine, real processes)', () => {
  it('depends_on both ways, gateway round-robin with no failed GET while one is killed and restarted, down leaves nothing', async () => {
    const name = project('hostproc');
    const gw = await freePort();
    const dir = stack(name, gw);
    const up = await orch(['up', '-d', '--wait', '--timeout', '120', '--no-dashboard'], { cwd: dir });
    let pids: number[] = [];
    try {
      expect(up.code, up.stderr).toBe(0);
      const rows = await ps(dir);
      const web = rows.filter((r) => r.service === 'web');
      expect(web.map((r) => [r.replica, r.state, r.health])).toEqual([
        [1, 'running', 'healthy'],
        [2, 'running', 'healthy'],
      ]);
      pids = web.map((r) => r.pid!);
      expect(pids.every((p) => p > 0)).toBe(true);
      // the container reached the process through ORCH_WEB_URL: its healthcheck passed
      expect(rows.find((r) => r.service === 'client')?.health).toBe('healthy');

      const seen = new Set<number>();
      let failed = 0;
      const get = async () => {
        const res = await fetch(`http://127.0.0.1:${gw}/web/`).catch(() => undefined);
        if (!res || res.status !== 200) failed++;
        else seen.add((JSON.parse(await res.text()) as { replica: number }).replica);
      };
      for (let i = 0; i < 10; i++) await get();
      expect([...seen].sort()).toEqual([1, 2]);

      // kill replica 1's whole group from outside while GETs go on
      process.kill(-pids[0]!, 'SIGKILL');
      const t0 = Date.now();
      while (Date.now() - t0 < 3_000) await get();
      expect(failed).toBe(0);
      // restarted by the supervisor within its backoff (initial 200ms): a new pid, a restart counted
      const back = await until(
        'web-1 back',
        async () => {
          const r = (await ps(dir)).find((x) => x.service === 'web' && x.replica === 1);
          return r && r.state === 'running' && r.pid !== pids[0] ? r : undefined;
        },
        20_000,
      );
      expect(back.restarts).toBeGreaterThanOrEqual(1);
      pids.push(back.pid!);
    } finally {
      const down = await orch(['down', '-t', '5'], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
    }
    for (const p of pids) expect(groupMembers(p)).toEqual([]);
    expect(readdirSync(join(dir, '.orch', name, 'processes')).filter((f) => f.startsWith('proc-'))).toEqual(
      [],
    );
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('down after kill -9 of the background supervisor ends the processes it left', async () => {
    const name = project('hostproc-kill9');
    const dir = stack(name, await freePort());
    const up = await orch(['up', '-d', '--wait', '--timeout', '120', '--no-dashboard', '--no-gateway'], {
      cwd: dir,
    });
    let pids: number[] = [];
    try {
      expect(up.code, up.stderr).toBe(0);
      pids = (await ps(dir)).filter((r) => r.service === 'web').map((r) => r.pid!);
      const sup = Number(readFileSync(join(dir, '.orch', name, 'supervisor.pid'), 'utf8').trim());
      process.kill(sup, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      // the processes outlived it
      for (const p of pids) expect(groupMembers(p).length).toBeGreaterThan(0);
    } finally {
      const down = await orch(['down', '-t', '5'], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
    }
    expect(pids).toHaveLength(2);
    for (const p of pids) expect(groupMembers(p)).toEqual([]);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('Ctrl-C of a foreground up leaves no process behind', async () => {
    const name = project('hostproc-sigint');
    const dir = projectDir({
      'orch.yaml': `name: ${name}\nservices:\n  ticker:\n    x-orch:\n      process: { command: "while true; do echo tick; sleep 0.2; done" }\n`,
    });
    const child = spawn(process.execPath, [cliPath, 'up', '--no-gateway', '--no-dashboard'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    let pid: number | undefined;
    try {
      await until('ticks', async () => /ticker-1 +\| tick/.test(stdout), 30_000);
      pid = (await ps(dir)).find((r) => r.service === 'ticker')?.pid;
      expect(pid).toBeGreaterThan(0);
    } catch (e) {
      child.kill('SIGKILL');
      await orch(['down'], { cwd: dir });
      throw e;
    }
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(groupMembers(pid!)).toEqual([]);
  });

  it('an unhealthy process is restarted', async () => {
    const name = project('hostproc-unhealthy');
    const dir = projectDir({
      'orch.yaml': `name: ${name}
services:
  svc:
    x-orch:
      process: { command: "rm -f sick; while true; do sleep 0.2; done" }
      backoff: { initial: 200ms, max: 1s }
    restart: always
    healthcheck: { test: ["CMD-SHELL", "test ! -f sick"], interval: 300ms, retries: 2 }
`,
    });
    const up = await orch(['up', '-d', '--wait', '--timeout', '60', '--no-dashboard', '--no-gateway'], {
      cwd: dir,
    });
    const pids: number[] = [];
    try {
      expect(up.code, up.stderr).toBe(0);
      const first = (await ps(dir))[0]!;
      expect(first).toMatchObject({ state: 'running', health: 'healthy' });
      pids.push(first.pid!);
      writeFileSync(join(dir, 'sick'), '');
      const again = await until('restarted and healthy', async () => {
        const r = (await ps(dir))[0];
        return r && r.pid !== first.pid && r.state === 'running' && r.health === 'healthy' ? r : undefined;
      });
      pids.push(again.pid!);
      expect(again.restarts).toBeGreaterThanOrEqual(1);
      expect(groupMembers(first.pid!)).toEqual([]);
    } finally {
      const down = await orch(['down', '-t', '5'], { cwd: dir });
      expect(down.code, down.stderr).toBe(0);
    }
    for (const p of pids) expect(groupMembers(p)).toEqual([]);
  });
});
