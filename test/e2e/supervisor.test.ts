import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  docker,
  forceClean,
  inspect,
  leftovers,
  orch,
  projectDir,
  ps,
  supervisorPids,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('sup');
let dir = '';

// One project exercises every supervisor behaviour; each service is independent of the others
// except `app`, which re-gates on `db`.
const yaml = `
name: ${name}
services:
  steady:
    image: busybox:latest
    command: ["sh", "-c", "touch /tmp/ok; exec sleep 3600"]
    stop_signal: SIGKILL
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 300ms
      retries: 2
  flaky:
    image: busybox:latest
    command: ["sh", "-c", "echo try; exit 3"]
    restart: on-failure:2
  db:
    image: busybox:latest
    command: ["sh", "-c", "sleep 0.5; touch /tmp/ok; exec sleep 3600"]
    stop_signal: SIGKILL
    restart: always
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 300ms
      retries: 2
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    restart: always
    depends_on:
      db: { condition: service_healthy, restart: true }
  crashy:
    image: busybox:latest
    command: ["sh", "-c", "echo about to die; exit 1"]
    restart: always
    x-orch:
      backoff: { initial: 100ms, max: 1s }
  bystander:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    restart: always
    depends_on:
      db: { condition: service_healthy }
`;

const row = async (service: string) => (await ps(dir)).find((r) => r.service === service);

describe('the supervisor on a real engine', () => {
  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--no-gateway'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    expect(supervisorPids(name)).toHaveLength(1);
  });
  afterAll(async () => {
    // `down` first: a supervisor left running by a failed test would recreate what forceClean removes.
    if (dir !== '') await orch(['down', '-t', '0'], { cwd: dir });
    forceClean(name);
  });

  it('restarts a killed unless-stopped replica after its first backoff and counts it', async () => {
    await waitUntil(async () => (await row('steady'))?.health === 'healthy', 20_000, 'steady healthy');
    const before = inspect(`${name}-steady-1`).State.StartedAt;
    docker(['kill', `${name}-steady-1`]);
    await waitUntil(
      () =>
        inspect(`${name}-steady-1`).State.StartedAt !== before &&
        inspect(`${name}-steady-1`).State.Status === 'running',
      20_000,
      'steady restarted',
    );
    // The engine's own timestamps. Docker's policy is `no`, so orch restarted it, and only after
    // its first backoff (250 ms less at most 20% jitter), not at once; nor did it wait for a later
    // step of the backoff (500 ms, 1 s, ... 30 s). How fast is bench/supervisor's question.
    const after = inspect(`${name}-steady-1`).State;
    const down = Date.parse(after.StartedAt) - Date.parse(after.FinishedAt);
    expect(down).toBeGreaterThanOrEqual(200);
    expect(down).toBeLessThan(15_000);
    await waitUntil(async () => (await row('steady'))?.restarts === 1, 20_000, 'restart counted');
  });

  it('restarts a replica whose healthcheck starts failing, and it is healthy again', async () => {
    await waitUntil(async () => (await row('steady'))?.health === 'healthy', 20_000, 'steady healthy');
    const restartsBefore = (await row('steady'))?.restarts ?? 0;
    docker(['exec', `${name}-steady-1`, 'rm', '/tmp/ok']);
    await waitUntil(
      async () => ((await row('steady'))?.restarts ?? 0) > restartsBefore,
      20_000,
      'restart on unhealthy',
    );
    await waitUntil(async () => (await row('steady'))?.health === 'healthy', 20_000, 'healthy again');
  });

  it('stops restarting an on-failure:2 service after 2 restarts', async () => {
    await waitUntil(async () => (await row('flaky'))?.restarts === 2, 20_000, 'two restarts');
    await new Promise((r) => setTimeout(r, 3_000));
    const r = await row('flaky');
    expect(r?.restarts).toBe(2);
    expect(r?.state).toMatch(/^exited \(3\)/);
    expect(
      docker(['logs', `${name}-flaky-1`])
        .split('\n')
        .filter((l) => l === 'try'),
    ).toHaveLength(3);
  });

  it('restarts a dependent with depends_on.restart after its dependency recovered, and leaves others alone', async () => {
    await waitUntil(async () => (await row('db'))?.health === 'healthy', 20_000, 'db healthy');
    const appBefore = inspect(`${name}-app-1`).State.StartedAt;
    const bystanderBefore = inspect(`${name}-bystander-1`).State.StartedAt;
    docker(['kill', `${name}-db-1`]);
    await waitUntil(() => inspect(`${name}-app-1`).State.StartedAt !== appBefore, 20_000, 'app re-gated');
    const db = inspect(`${name}-db-1`);
    // The dependent came back only after the dependency was up again (and ~0.5s later, healthy).
    expect(Date.parse(inspect(`${name}-app-1`).State.StartedAt)).toBeGreaterThan(
      Date.parse(db.State.StartedAt) + 400,
    );
    expect(inspect(`${name}-bystander-1`).State.StartedAt).toBe(bystanderBefore);
  });

  it('marks a service that keeps dying as crashloop, with its last lines, and keeps retrying', async () => {
    await waitUntil(async () => (await row('crashy'))?.state === 'crashloop', 30_000, 'crashloop');
    const log = readFileSync(join(dir, '.orch', name, 'supervisor.log'), 'utf8');
    expect(log).toMatch(/"type":"crash-loop","service":"crashy"/);
    expect(log).toMatch(/"type":"last-lines","service":"crashy","replica":1,"lines":\[[^\]]*about to die/);
    const n = (await row('crashy'))?.restarts ?? 0;
    await waitUntil(
      async () => ((await row('crashy'))?.restarts ?? 0) > n,
      20_000,
      'still retrying at the max delay',
    );
  });

  it('after a kill -9 of the supervisor, up -d adopts the running containers without recreating any', async () => {
    const ids = leftovers(name).containers.sort();
    const before = await ps(dir);
    const steadyRestarts = before.find((r) => r.service === 'steady')?.restarts ?? 0;
    expect(steadyRestarts).toBeGreaterThanOrEqual(2);
    const [pid] = supervisorPids(name);
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    await waitUntil(() => supervisorPids(name).length === 0, 20_000, 'supervisor gone');
    const up = await orch(['up', '-d', '--no-gateway'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toMatch(/recreated|created\b/);
    expect(leftovers(name).containers.sort()).toEqual(ids);
    expect(supervisorPids(name)).toHaveLength(1);
    // The new supervisor counts on from the old one's restarts of the same containers: every
    // replica that runs keeps its count exactly; one that had exited (crashy between restarts,
    // flaky after giving up: max-attempt windows start afresh) goes through its policy again and
    // only counts up from there.
    const after = await ps(dir);
    const key = (r: { service: string; replica: number }) => `${r.service}-${r.replica}`;
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
    for (const b of before) {
      const a = after.find((r) => key(r) === key(b));
      expect(a?.container, key(b)).toBe(b.container);
      if (b.state === 'running' && b.service !== 'crashy') expect(a?.restarts, key(b)).toBe(b.restarts);
      else expect(a?.restarts, key(b)).toBeGreaterThanOrEqual(b.restarts);
    }
    // ...and it supervises again.
    const started = inspect(`${name}-steady-1`).State.StartedAt;
    docker(['kill', `${name}-steady-1`]);
    await waitUntil(
      () => inspect(`${name}-steady-1`).State.StartedAt !== started,
      20_000,
      'supervised again',
    );
    await waitUntil(async () => (await row('steady'))?.restarts === steadyRestarts + 1, 20_000, 'counted on');
  });

  it('down leaves no container and no supervisor process', async () => {
    const down = await orch(['down', '-t', '0'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(supervisorPids(name)).toHaveLength(0);
  });
});
