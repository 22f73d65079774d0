import { describe, expect, it } from 'vitest';
import {
  firstPassingExec,
  inspect,
  leftovers,
  orch,
  projectDir,
  ps,
  recordEvents,
  projectNames,
  waitUntil,
} from './helpers.js';

const project = projectNames();

// Docker's own first check of db comes only after `interval` (60 s): only orch's start checks,
// every start interval from the start, can make db healthy within --timeout.
const stack = (name: string): string => `
name: ${name}
services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 60s
      timeout: 5s
      retries: 3
      start_interval: 100ms
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
`;

describe('fast start probing on a real engine', () => {
  it("runs the health test itself until it passes: the dependent starts long before Docker's first check", async () => {
    const name = project('startprobe');
    const dir = projectDir({ 'orch.yaml': stack(name) });
    const stopEvents = await recordEvents(name, ['start', 'health_status', 'exec_die']);
    const up = await orch(['up', '-d', '--wait', '--timeout', '40'], { cwd: dir });
    expect(up.stderr).toContain('db: healthy');
    expect(up.code).toBe(0);
    const events = await stopEvents();
    const db = inspect(`${name}-db-1`);
    const app = inspect(`${name}-app-1`);
    const at = (id: string, status: string): number =>
      events.find((e) => e.id === id && e.status === status)?.timeNano ?? Number.NaN;
    const firstPass = firstPassingExec(events, db.Id);
    const appStarted = at(app.Id, 'start');
    // Not Docker: it has not checked db yet (its interval is 60 s).
    expect(events.some((e) => e.id === db.Id && e.status === 'health_status: healthy')).toBe(false);
    // The test ran more than once (it fails until the file exists), then passed, then app started.
    expect(events.filter((e) => e.id === db.Id && e.status === 'exec_die').length).toBeGreaterThan(1);
    expect(firstPass).toBeGreaterThan(at(db.Id, 'start'));
    expect(appStarted).toBeGreaterThan(firstPass);
    // The supervisor that took over carries orch's verdict too.
    await waitUntil(async () => (await ps(dir)).find((r) => r.service === 'db')?.health === 'healthy');
    // `ps` answered before oclif (cached model) and by oclif itself (--debug declines the fast path) agree.
    const fast = await orch(['ps', '--json'], { cwd: dir });
    const full = await orch(['ps', '--json', '--debug'], { cwd: dir });
    expect(fast.code).toBe(0);
    expect(full.code).toBe(0);
    expect(JSON.parse(fast.stdout)).toEqual(JSON.parse(full.stdout));

    const down = await orch(['down', '-t', '0'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
