import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, forceClean, leftovers, orch, projectDir, ps, uniqueName, waitUntil } from './helpers.js';

/**
 * The Docker engine restarts while a stack is supervised: the supervisor reconnects, re-reads
 * the project by label, restarts what the engine did not, and recreates nothing. It restarts the
 * engine, so it only runs when asked: ORCH_TEST_ENGINE_RESTART=1, with the restart command in
 * ORCH_TEST_ENGINE_RESTART_CMD (default `systemctl restart docker`). Never on a shared engine.
 */
const enabled = process.env['ORCH_TEST_ENGINE_RESTART'] === '1';
const restartCmd = process.env['ORCH_TEST_ENGINE_RESTART_CMD'] ?? 'systemctl restart docker';

const name = uniqueName('enginerestart');
const yaml = `
name: ${name}
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "touch /tmp/ok; exec sleep 3600"]
    stop_signal: SIGKILL
    restart: always
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 300ms
      retries: 2
  job:
    image: busybox:latest
    command: ["true"]
`;

describe.skipIf(!enabled)('an engine restart under a running supervisor', () => {
  afterAll(() => forceClean(name));

  it('reconnects, restarts what stopped, recreates nothing, and orch events shows it', async () => {
    const dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--wait', '--timeout', '90'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const before = await ps(dir);
    const follower = spawn(process.execPath, [cliPath, 'events', '--json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const r = spawnSync('sh', ['-c', restartCmd], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      await waitUntil(
        async () => {
          const rows = await ps(dir).catch(() => []);
          const web = rows.find((x) => x.service === 'web');
          return web?.state === 'running' && web.health === 'healthy';
        },
        90_000,
        'web running and healthy again',
      );
      const after = await ps(dir);
      // Same containers: restarted, not recreated; the finished job is left alone.
      expect(after.map((x) => x.container).sort()).toEqual(before.map((x) => x.container).sort());
      expect(leftovers(name).containers).toHaveLength(before.length);
      const events = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; service?: string });
      const web = events.filter((e) => e.service === 'web').map((e) => e.type);
      expect(web).toEqual(expect.arrayContaining(['died', 'restarting', 'started', 'healthy']));
      expect(web.indexOf('died')).toBeLessThan(web.lastIndexOf('started'));
      expect(events.some((e) => e.service === 'job' && e.type === 'restarting')).toBe(false);
    } finally {
      follower.kill('SIGKILL');
    }
    const down = await orch(['down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
