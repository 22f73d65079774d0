import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import {
  docker,
  inspect,
  leftovers,
  orch,
  projectDir,
  recordEvents,
  cliPath,
  projectNames,
  firstPassingExec,
} from './helpers.js';

const project = projectNames();

// db becomes healthy only after ~2s; app must not start before db's first passing check.
const chain = (name: string): string => `
name: ${name}
services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      timeout: 1s
      retries: 20
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
`;

describe('orch up / down / ps on a real engine', () => {
  it('starts a dependent only after its dependency passed a health check, and down leaves nothing', async () => {
    const name = project('order');
    const dir = projectDir({ 'orch.yaml': chain(name) });
    const stopEvents = await recordEvents(name, ['start', 'health_status', 'exec_die']);
    const up = await orch(['up', '-d', '--wait', '--timeout', '60'], { cwd: dir });
    expect(up.stderr).toContain('db: healthy');
    expect(up.code).toBe(0);
    const events = await stopEvents();

    const db = inspect(`${name}-db-1`);
    const app = inspect(`${name}-app-1`);
    // The engine's own timestamps: the dependent started after its dependency was first healthy.
    const at = (id: string, status: string): number =>
      events.find((e) => e.id === id && e.status === status)?.timeNano ?? Number.NaN;
    // db's only exec is its health test (Docker's check, or orch's own start check): the first
    // one that exited 0 is when it was first healthy.
    const dbHealthy = firstPassingExec(events, db.Id);
    const appStarted = at(app.Id, 'start');
    expect(dbHealthy).toBeGreaterThan(at(db.Id, 'start'));
    expect(appStarted).toBeGreaterThan(dbHealthy);
    // ...and without waiting out a poll or a timeout; how promptly is bench/startup's question
    // (a start here takes ~0.7 s on an idle 2-core machine, several seconds on a loaded one).
    expect((appStarted - dbHealthy) / 1e6).toBeLessThan(15_000);
    expect(db.Config.Labels['dev.orch.project']).toBe(name);
    expect(db.Config.Labels['dev.orch.service']).toBe('db');
    expect(db.Config.Labels['dev.orch.replica']).toBe('1');
    expect(db.Config.Labels['dev.orch.config-hash']).toMatch(/^[0-9a-f]{16}$/);

    const ps = await orch(['ps', '--json'], { cwd: dir });
    expect(ps.code).toBe(0);
    const rows = JSON.parse(ps.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r['service'])).toEqual(['app', 'db']);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual(
      ['container', 'health', 'ports', 'replica', 'restarts', 'service', 'startedAt', 'state'].sort(),
    );
    expect(rows.find((r) => r['service'] === 'db')?.['health']).toBe('healthy');

    // Unchanged project: nothing is recreated.
    const again = await orch(['up', '-d', '--wait', '--timeout', '60'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(inspect(`${name}-db-1`).Id).toBe(db.Id);
    expect(inspect(`${name}-app-1`).Id).toBe(app.Id);

    const down = await orch(['down', '-t', '1'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('recreates only the service whose configuration changed, and removes orphans', async () => {
    const name = project('recreate');
    const yaml = (env: string, extra = ''): string => `
name: ${name}
services:
  a:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    environment: { MODE: "${env}" }
  b:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
${extra}`;
    const dir = projectDir({
      'orch.yaml': yaml(
        'one',
        '  c:\n    image: busybox:latest\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n',
      ),
    });
    expect((await orch(['up', '-d'], { cwd: dir })).code).toBe(0);
    const a1 = inspect(`${name}-a-1`).Id;
    const b1 = inspect(`${name}-b-1`).Id;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/orch.yaml`, yaml('two'));
    const up2 = await orch(['up', '-d'], { cwd: dir });
    expect(up2.code).toBe(0);
    expect(inspect(`${name}-a-1`).Id).not.toBe(a1);
    expect(inspect(`${name}-b-1`).Id).toBe(b1);
    expect(up2.stderr).toContain(`orphan container ${name}-c-1`);
    expect(docker(['ps', '-aq', '--filter', `name=^/${name}-c-1$`])).toBe('');
    expect((await orch(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
  });

  it('keeps named volume data across down, and removes it with down --volumes', async () => {
    const name = project('vol');
    const yaml = `
name: ${name}
services:
  store:
    image: busybox:latest
    command: ["sh", "-c", "test -f /data/seen && echo again || (echo first; touch /data/seen); exec sleep 3600"]
    stop_signal: SIGKILL
    volumes: ["data:/data"]
volumes:
  data:
`;
    const dir = projectDir({ 'orch.yaml': yaml });
    expect((await orch(['up', '-d'], { cwd: dir })).code).toBe(0);
    expect((await orch(['down'], { cwd: dir })).code).toBe(0);
    expect(leftovers(name).volumes).toHaveLength(1);
    expect((await orch(['up', '-d'], { cwd: dir })).code).toBe(0);
    // The marker written by the first container is seen by the second.
    await waitFor(() => docker(['logs', `${name}-store-1`]).includes('again'));
    expect((await orch(['down', '--volumes'], { cwd: dir })).code).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('fails up --wait with exit 1 naming a dependency that never becomes healthy, and leaves it for inspection', async () => {
    const name = project('sick');
    const yaml = `
name: ${name}
services:
  sick:
    image: busybox:latest
    command: ["sh", "-c", "echo booting; echo cannot open socket >&2; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "false"]
      interval: 300ms
      retries: 2
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    depends_on:
      sick: { condition: service_healthy }
`;
    const dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--wait', '--timeout', '30'], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/✘ sick: .*unhealthy/);
    expect(up.stderr).toContain('cannot open socket');
    expect(up.stderr).toMatch(/app: not started/);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    // Both are left for inspection; the dependent was created but never started.
    expect(leftovers(name).containers).toHaveLength(2);
    expect(inspect(`${name}-app-1`).State.Status).toBe('created');
    expect((await orch(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
    expect(leftovers(name).containers).toHaveLength(0);
  });

  it('runs a one-shot job to completion before its dependent, and --wait counts it as done', async () => {
    const name = project('job');
    const yaml = `
name: ${name}
services:
  seed:
    image: busybox:latest
    command: ["sh", "-c", "sleep 1; echo seeded"]
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      seed: { condition: service_completed_successfully }
`;
    const dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--wait', '--timeout', '30', '--json'], { cwd: dir });
    expect(up.code).toBe(0);
    const seed = inspect(`${name}-seed-1`);
    expect(seed.State.Status).toBe('exited');
    expect(seed.State.ExitCode).toBe(0);
    const app = inspect(`${name}-app-1`);
    expect(Date.parse(app.State.StartedAt)).toBeGreaterThan(Date.parse(seed.State.StartedAt) + 900);
    const result = JSON.parse(up.stdout) as { ok: boolean; timeline: { criticalPath: string[] } };
    expect(result.ok).toBe(true);
    expect(result.timeline.criticalPath).toEqual(['seed', 'app']);
    expect((await orch(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
  });

  it('touches nothing without its own project label', async () => {
    const name = project('labels');
    const stranger = `${name}-stranger`;
    docker([
      'run',
      '-d',
      '--name',
      stranger,
      '--label',
      `dev.orch.project=${name}-other`,
      'busybox:latest',
      'sleep',
      '3600',
    ]);
    try {
      const dir = projectDir({
        'orch.yaml': `name: ${name}\nservices:\n  a:\n    image: busybox:latest\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n`,
      });
      expect((await orch(['up', '-d'], { cwd: dir })).code).toBe(0);
      expect((await orch(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
      expect(inspect(stranger).State.Status).toBe('running');
    } finally {
      docker(['rm', '-f', stranger]);
    }
  });

  it('Ctrl-C on a foreground up stops and removes everything and exits 130', async () => {
    const name = project('sigint');
    const dir = projectDir({
      'orch.yaml': `name: ${name}\nservices:\n  talker:\n    image: busybox:latest\n    command: ["sh", "-c", "while true; do echo tick; sleep 0.2; done"]\n`,
    });
    const child = spawn(process.execPath, [cliPath, 'up'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    try {
      await waitFor(() => /talker-1 +\| tick/.test(stdout));
    } catch (e) {
      child.kill('SIGKILL'); // never leave a foreground orch behind a failed test
      throw e;
    }
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('says how to start an engine, with exit 3, when none answers', async () => {
    const dir = projectDir({ 'orch.yaml': 'services:\n  a:\n    image: busybox:latest\n' });
    const r = await orch(['ps'], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/engine/i);
    expect(r.stderr).toMatch(/hint: .*dockerd/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
