import { describe, expect, it } from 'vitest';
import { deploySwarm, type SwarmDeployEvent } from '../../../src/core/swarm/deploy.js';
import { convergence, deployWaves } from '../../../src/core/swarm/plan.js';
import type { SwarmPort, SwarmRole, SwarmTask } from '../../../src/core/swarm/ports.js';
import type { Clock, DockerPort } from '../../../src/core/ports.js';
import { OrchError } from '../../../src/errors/index.js';
import type { Project } from '../../../src/model/project.js';
import { loadProject, memoryFs } from '../../../src/project/index.js';

const YAML = `
name: st
services:
  db: { image: db:1, healthcheck: { test: ["CMD", "true"] } }
  seed: { image: seed:1, depends_on: { db: { condition: service_healthy } } }
  api:
    image: api:1
    deploy: { replicas: 2 }
    depends_on: { db: { condition: service_healthy }, seed: { condition: service_completed_successfully } }
  web: { image: web:1, depends_on: [api] }
  cron: { image: cron:1 }
x-orch:
  gateway: { port: 8080, routes: [{ path: /, service: web, port: 80 }] }
`;

async function project(): Promise<Project> {
  const f = '/p/orch.yaml';
  return (await loadProject({ cwd: '/p', files: [f], env: {} }, memoryFs({ [f]: YAML }))).project;
}

/** Time that passes as soon as anyone waits: the deploy's polling runs instantly. */
class InstantClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.t += ms;
    return Promise.resolve();
  }
}

/** A swarm in memory: a deployed service's tasks come up (or complete) after a few polls. */
class FakeSwarm implements SwarmPort {
  deploys: { services: string[]; prune: boolean; convergedBefore: string[] }[] = [];
  private readonly since = new Map<string, number>();
  private polls = 0;
  converged = new Set<string>();
  constructor(
    private readonly replicas: Record<string, number>,
    private readonly jobs: Set<string>,
    private readonly failing = new Set<string>(),
    public roleIs: SwarmRole = 'manager',
  ) {}
  role(): Promise<SwarmRole> {
    return Promise.resolve(this.roleIs);
  }
  deployStack(_stack: string, text: string, prune: boolean): Promise<void> {
    const services = Object.keys((JSON.parse(text) as { services: object }).services).sort();
    for (const s of services) if (!this.since.has(s)) this.since.set(s, this.polls);
    this.deploys.push({ services, prune, convergedBefore: [...this.converged].sort() });
    return Promise.resolve();
  }
  tasks(): Promise<SwarmTask[]> {
    this.polls++;
    const out: SwarmTask[] = [];
    for (const [service, at] of this.since) {
      const up = this.polls - at >= 3;
      const n = this.replicas[service] ?? 1;
      for (let slot = 1; slot <= n; slot++) {
        const job = this.jobs.has(service);
        const state = !up
          ? 'starting'
          : job
            ? this.failing.has(service)
              ? 'failed'
              : 'complete'
            : 'running';
        if (up) this.converged.add(service);
        out.push({
          id: `${service}.${slot}`,
          service,
          slot,
          node: 'n1',
          desired: job && up ? 'shutdown' : 'running',
          state,
          updatedAt: '',
        });
      }
    }
    return Promise.resolve(out);
  }
  removeStack(): Promise<{ services: number; networks: number }> {
    return Promise.resolve({ services: 0, networks: 0 });
  }
  services(): Promise<string[]> {
    return Promise.resolve([...this.since.keys()]);
  }
  tagImage(): Promise<void> {
    return Promise.resolve();
  }
  pushImage(): Promise<void> {
    return Promise.resolve();
  }
  removeStackVolumes(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

const input = (p: Project) => ({ project: p, files: new Map<string, Uint8Array>(), env: {} });

function run(p: Project, swarm: FakeSwarm, events: SwarmDeployEvent[] = [], timeoutMs = 60_000) {
  return deploySwarm(
    input(p),
    {
      swarm,
      docker: {} as DockerPort, // nothing to build: every service names an image
      clock: new InstantClock(),
      gatewayImage: () => Promise.resolve('orch-gateway:abc'),
      render: (doc) => JSON.stringify(doc),
    },
    { timeoutMs, onEvent: (e) => events.push(e) },
  );
}

describe('swarm deploy plan', () => {
  it('puts each service in the wave after its last dependency', async () => {
    expect(deployWaves(await project())).toEqual([['cron', 'db'], ['seed'], ['api'], ['web']]);
  });

  it('counts a service converged when all replicas run, a job when a task completed', () => {
    const t = (service: string, state: string, desired = 'running'): SwarmTask => ({
      id: `${service}-${state}`,
      service,
      slot: 1,
      node: 'n',
      desired,
      state,
      updatedAt: '',
    });
    expect(convergence([t('a', 'running')], 'a', 2, false)).toMatchObject({
      state: 'waiting',
      detail: '1/2 running',
    });
    expect(convergence([t('a', 'running'), { ...t('a', 'running'), id: 'x' }], 'a', 2, false).state).toBe(
      'converged',
    );
    expect(
      convergence(
        [
          t('j', 'failed', 'shutdown'),
          { ...t('j', 'complete', 'shutdown'), updatedAt: '2026-01-01T00:00:01Z' },
        ],
        'j',
        1,
        true,
      ).state,
    ).toBe('converged');
    expect(convergence([t('j', 'failed', 'shutdown')], 'j', 1, true).state).toBe('failed');
    // A redeploy: the old run completed, the new one has not yet.
    const old = { ...t('j', 'complete', 'shutdown'), updatedAt: '2026-01-01T00:00:00Z' };
    const fresh = { ...t('j', 'running'), updatedAt: '2026-01-01T00:05:00Z' };
    expect(convergence([old, fresh], 'j', 1, true).state).toBe('waiting');
    expect(convergence([old, { ...fresh, state: 'complete', desired: 'shutdown' }], 'j', 1, true).state).toBe(
      'converged',
    );
    expect(convergence([t('j', 'failed', 'shutdown'), t('j', 'starting')], 'j', 1, true).state).toBe(
      'waiting',
    );
  });
});

describe('deploySwarm', () => {
  it('deploys wave after wave, each once the one before converged, and the gateway last with prune', async () => {
    const p = await project();
    const swarm = new FakeSwarm({ api: 2 }, new Set(['seed']));
    const events: SwarmDeployEvent[] = [];
    const r = await run(p, swarm, events);
    expect(swarm.deploys.map((d) => d.services)).toEqual([
      ['cron', 'db'],
      ['cron', 'db', 'seed'],
      ['api', 'cron', 'db', 'seed'],
      ['api', 'cron', 'db', 'seed', 'web'],
      ['api', 'cron', 'db', 'gateway', 'seed', 'web'],
    ]);
    expect(swarm.deploys.map((d) => d.convergedBefore)).toEqual([
      [],
      ['cron', 'db'],
      ['cron', 'db', 'seed'],
      ['api', 'cron', 'db', 'seed'],
      ['api', 'cron', 'db', 'seed', 'web'],
    ]);
    expect(swarm.deploys.map((d) => d.prune)).toEqual([false, false, false, false, true]);
    expect(
      events.filter((e) => e.type === 'converged').map((e) => e.type === 'converged' && e.service),
    ).toEqual(['cron', 'db', 'seed', 'api', 'web', 'gateway']);
    expect(r.images).toEqual({ gateway: 'orch-gateway:abc' });
  });

  it('is a usage error (exit 2, with the command to run) when the engine is no swarm manager', async () => {
    const err = await run(await project(), new FakeSwarm({}, new Set(), new Set(), 'inactive')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).exitCode).toBe(2);
    expect((err as OrchError).hint).toContain('docker swarm init');
  });

  it('stops at a failed one-shot job before deploying its dependents (exit 1)', async () => {
    const swarm = new FakeSwarm({}, new Set(['seed']), new Set(['seed']));
    const err = await run(await project(), swarm).catch((e: unknown) => e);
    expect((err as OrchError).exitCode).toBe(1);
    expect((err as OrchError).message).toContain('seed failed');
    expect(swarm.deploys.some((d) => d.services.includes('api'))).toBe(false);
  });

  it('gives up on a service that does not converge in time', async () => {
    const err = await run(await project(), new FakeSwarm({}, new Set()), [], 1000).catch((e: unknown) => e);
    expect((err as OrchError).message).toMatch(/did not converge within 1s/);
  });
});
