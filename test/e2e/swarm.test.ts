import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orch, projectDir, uniqueName } from './helpers.js';

// The built CLI against a real single-node swarm on the test engine. Only this file uses swarm;
// it initialises one only when the engine has none, and then leaves it at the end.

const sh = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const hasDocker = sh(['version']).status === 0;
const swarmState = () =>
  sh(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']).stdout.trim();
const stackLabel = (p: string) => `label=com.docker.stack.namespace=${p}`;
const list = (args: string[]) => sh(args).stdout.split('\n').filter(Boolean);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface Task {
  id: string;
  service: string;
  desired: string;
  state: string;
  containerId?: string;
}

describe.skipIf(!hasDocker)('orch deploy --target swarm (real swarm)', () => {
  const project = uniqueName('orchswarm').replace(/[^a-z0-9-]/g, '');
  let dir = '';
  let port = 0;
  let createdSwarm = false;
  let notManagerResult: Awaited<ReturnType<typeof orch>> | undefined;
  const gatewayImages = () => list(['images', '-q', '--no-trunc', 'orch-gateway']);
  const gatewayImagesBefore = new Set(hasDocker ? gatewayImages() : []);

  beforeAll(async () => {
    port = await freePort();
    dir = projectDir({
      'orch.yaml': `name: ${project}
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 100000"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 1s, retries: 30 }
  seed:
    image: busybox
    command: ["sh", "-c", "sleep 1; echo seeded"]
    depends_on: { db: { condition: service_healthy } }
  api:
    build: ./api
    deploy: { replicas: 2 }
    depends_on:
      db: { condition: service_healthy }
      seed: { condition: service_completed_successfully }
    x-orch:
      # how a local up runs it (on the host); Swarm runs the image
      process: { command: [node, api/server.js], port: 3000 }
      probe: { http: { path: /health, port: 3000 }, interval: 1s, retries: 30 }
x-orch:
  gateway:
    port: ${port}
    routes: [{ path: /, service: api, port: 3000 }]
`,
    });
    mkdirSync(join(dir, 'api'));
    writeFileSync(
      join(dir, 'api/Dockerfile'),
      'FROM node:20-slim\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n',
    );
    writeFileSync(
      join(dir, 'api/server.js'),
      `require('http').createServer((q, s) => s.end(q.url === '/health' ? 'ok' : require('os').hostname())).listen(3000);\n`,
    );
    if (swarmState().startsWith('inactive')) {
      notManagerResult = await orch(['deploy', '--target', 'swarm'], { cwd: dir });
      const init = sh(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      if (init.status !== 0) throw new Error(`docker swarm init: ${init.stderr}`);
      createdSwarm = true;
    }
  }, 60_000);

  afterAll(() => {
    if (list(['service', 'ls', '-q', '--filter', stackLabel(project)]).length > 0)
      sh(['stack', 'rm', project]);
    for (const img of list(['images', '--format', '{{.Repository}}:{{.Tag}}', `${project}-api`]))
      sh(['rmi', img]);
    // The gateway image is built once per orch build and reused; remove it only if this run made it.
    for (const id of gatewayImages()) if (!gatewayImagesBefore.has(id)) sh(['rmi', '-f', id]);
    if (createdSwarm) sh(['swarm', 'leave', '--force']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('without a swarm manager: exit 2 with the command to run', () => {
    if (!notManagerResult) return; // the engine already was a swarm
    expect(notManagerResult.code).toBe(2);
    expect(notManagerResult.stderr).toContain('docker swarm init');
  });

  it('deploys in dependency order, balances over replicas through the gateway, replaces a killed task, and down removes it all', async () => {
    expect(swarmState()).toMatch(/^active true/);
    const d = await orch(['deploy', '--target', 'swarm', '--timeout', '240'], { cwd: dir });
    expect(d.stderr).toContain('converged');
    expect(d.code).toBe(0);
    const order = ['db: converged', 'seed: completed', 'api: converged', 'gateway: converged'].map((l) =>
      d.stderr.indexOf(l),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(list(['images', '-q', `${project}-api`]).length).toBeGreaterThan(0);

    // The gateway: published on the host in host mode, rotating over the two replicas.
    const seen = await until(
      'both api replicas answer through the gateway',
      async () => {
        const hosts = new Set<string>();
        for (let i = 0; i < 8; i++) {
          const r = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
          if (r?.status === 200) {
            expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f]+$/);
            hosts.add(await r.text());
          }
        }
        return hosts.size === 2 ? hosts : undefined;
      },
      90_000,
    );
    expect(seen.size).toBe(2);

    // ps --target swarm: the tasks; kill one api container and Swarm replaces it.
    const tasks = async () =>
      JSON.parse((await orch(['ps', '--target', 'swarm', '--json'], { cwd: dir })).stdout) as Task[];
    const running = (ts: Task[]) =>
      ts.filter((t) => t.service === 'api' && t.desired === 'running' && t.state === 'running');
    const before = running(await tasks());
    expect(before).toHaveLength(2);
    expect((await tasks()).find((t) => t.service === 'seed')?.state).toBe('complete');
    const victim = before[0]!;
    expect(sh(['kill', victim.containerId!]).status).toBe(0);
    await until(
      'a replacement api task runs',
      async () => {
        const now = running(await tasks());
        return now.length === 2 && !now.some((t) => t.id === victim.id) ? now : undefined;
      },
      120_000,
    );

    // Deploying the unchanged project again leaves the running tasks alone (same content tags).
    const runningNow = running(await tasks())
      .map((t) => t.id)
      .sort();
    const again = await orch(['deploy', '--target', 'swarm', '--timeout', '240'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(
      running(await tasks())
        .map((t) => t.id)
        .sort(),
    ).toEqual(runningNow);

    const down = await orch(['down', '--target', 'swarm', '-v'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(list(['service', 'ls', '-q', '--filter', stackLabel(project)])).toEqual([]);
    expect(list(['network', 'ls', '-q', '--filter', stackLabel(project)])).toEqual([]);
    expect(list(['volume', 'ls', '-q', '--filter', stackLabel(project)])).toEqual([]);
    expect(list(['ps', '-aq', '--filter', stackLabel(project)])).toEqual([]);
  }, 600_000);
});
