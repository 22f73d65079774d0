import { describe, expect, it } from 'vitest';
import {
  gatewayUrl,
  inspect,
  leftovers,
  orch,
  projectDir,
  ps,
  recordEvents,
  projectNames,
  firstPassingExec,
  waitUntil,
} from './helpers.js';

const project = projectNames();

async function downLeavesNothing(dir: string, name: string): Promise<void> {
  const down = await orch(['down'], { cwd: dir });
  expect(down.code, down.stderr).toBe(0);
  expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
}

// What `up --wait` waited for before: nothing would ever satisfy it, so it ran into --timeout.
const TIMEOUT_S = 90;

describe('readiness that needs no replica and health from the image, on a real engine', () => {
  it('deploy.replicas: 0 is ready for --wait and depends_on; its route answers 502', async () => {
    const name = project('zero');
    const dir = projectDir({
      'orch.yaml': `
name: ${name}
services:
  off:
    image: busybox:latest
    command: ["sleep", "3600"]
    deploy: { replicas: 0 }
    x-orch:
      probe: { tcp: { port: 80 }, interval: 200ms }
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      off: { condition: service_healthy }
x-orch:
  gateway:
    routes:
      - { path: /off, service: off, port: 80 }
`,
    });
    const t0 = Date.now();
    const up = await orch(['up', '-d', '--wait', '--timeout', String(TIMEOUT_S), '--gateway-port', '0'], {
      cwd: dir,
    });
    const took = Date.now() - t0;
    expect(up.code, up.stderr).toBe(0);
    // The behaviour is "does not wait for the timeout": half of it leaves a loaded machine room.
    expect(took).toBeLessThan((TIMEOUT_S * 1000) / 2);
    try {
      const rows = await ps(dir);
      expect(rows.map((r) => [r.service, r.state])).toEqual([['app', 'running']]);
      const res = await fetch(`${gatewayUrl(up.stderr)}/off/x`);
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(((await res.json()) as { error: string }).error).toContain('no healthy replica');
    } finally {
      await downLeavesNothing(dir, name);
    }
  });

  it("service_healthy on a service with no healthcheck in the file waits on its image's HEALTHCHECK", async () => {
    const name = project('imghc');
    const dir = projectDir({
      // Healthy only once /tmp/ok exists, about a second after the start.
      'hc.Dockerfile': [
        'FROM busybox:latest',
        'HEALTHCHECK --interval=500ms --timeout=2s --retries=30 CMD test -f /tmp/ok',
        'CMD ["sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 3600"]',
        '',
      ].join('\n'),
      'orch.yaml': `
name: ${name}
services:
  db:
    build: { context: ., dockerfile: hc.Dockerfile }
    stop_signal: SIGKILL
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      db: { condition: service_healthy }
`,
    });
    const validate = await orch(['validate'], { cwd: dir });
    expect(validate.code, validate.stderr).toBe(0);
    const events = await recordEvents(name, ['start', 'health_status', 'exec_die']);
    const up = await orch(['up', '-d', '--wait', '--timeout', String(TIMEOUT_S), '--no-gateway'], {
      cwd: dir,
    });
    const seen = await events();
    expect(up.code, up.stderr).toBe(0);
    try {
      const db = inspect(`${name}-db-1`);
      const app = inspect(`${name}-app-1`);
      const at = (id: string, status: string): number =>
        seen.find((e) => e.id === id && e.status.startsWith(status))?.timeNano ?? Number.NaN;
      // The engine's own timestamps: app started after db's image healthcheck first passed (run
      // by orch's start check or by Docker: the test is db's only exec).
      expect(at(app.Id, 'start')).toBeGreaterThan(firstPassingExec(seen, db.Id));
      // Docker's own check follows within its interval.
      await waitUntil(() => inspect(`${name}-db-1`).State.Health?.Status === 'healthy');
      await waitUntil(async () => (await ps(dir)).find((r) => r.service === 'db')?.health === 'healthy');
    } finally {
      await downLeavesNothing(dir, name);
    }
  });

  it('fails the dependency, naming the service and its image, when neither file nor image has a healthcheck', async () => {
    const name = project('nohc');
    const dir = projectDir({
      'orch.yaml': `
name: ${name}
services:
  cache:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
  app:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      cache: { condition: service_healthy }
`,
    });
    const t0 = Date.now();
    const up = await orch(['up', '-d', '--wait', '--timeout', String(TIMEOUT_S), '--no-gateway'], {
      cwd: dir,
    });
    const took = Date.now() - t0;
    try {
      expect(up.code, up.stderr).toBe(1);
      expect(took).toBeLessThan((TIMEOUT_S * 1000) / 2);
      expect(up.stderr).toContain(
        '`app` waits for `cache` to be healthy, but neither the project file nor its image `busybox:latest` defines a healthcheck for `cache`',
      );
      expect(up.stderr).toContain('use condition: service_started');
      // The dependant was never started (compose leaves it created, as orch does).
      expect(inspect(`${name}-app-1`).State.Status).toBe('created');
    } finally {
      await downLeavesNothing(dir, name);
    }
  });
});
