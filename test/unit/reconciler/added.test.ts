import { describe, expect, it } from 'vitest';
import type { DependencyCondition, Dependency } from '../../../src/model/project.js';
import { inDependencyOrder, startAddedService } from '../../../src/core/reconciler/added.js';
import type { ServiceChange } from '../../../src/core/watch/plan.js';
import { FakeClock } from '../../fakes/index.js';
import { project, service } from '../supervisor/helpers.js';

const tick = () => new Promise((r) => setImmediate(r));

/** Dependencies settle when the test says so; starts are recorded with the virtual time. */
function host(clock: FakeClock) {
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const waited: string[] = [];
  const starts: string[] = [];
  return {
    waited,
    starts,
    settle(service: string, error?: string) {
      const p = pending.get(service);
      if (!p) throw new Error(`nobody waits on ${service}`);
      if (error) p.reject(new Error(error));
      else p.resolve();
    },
    api: {
      waitFor: (s: string, c: DependencyCondition, signal: AbortSignal) =>
        new Promise<void>((resolve, reject) => {
          waited.push(`${s}:${c}`);
          pending.set(s, { resolve, reject });
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      createAndStart: async (spec: { name: string }, n: number) =>
        void starts.push(`${spec.name}-${n}@${clock.now()}`),
      sleep: (ms: number, signal: AbortSignal) => clock.sleep(ms, signal),
    },
  };
}

const dep = (condition: DependencyCondition, required = true): Partial<Dependency> => ({
  condition,
  required,
});

describe('a service added by a live edit', () => {
  it('starts only once its dependencies meet their conditions', async () => {
    const clock = new FakeClock();
    const h = host(clock);
    const api = service('api', {
      replicas: 2,
      dependsOn: { db: dep('service_healthy'), mig: dep('service_completed_successfully') },
    });
    const next = project(service('db', { health: true }), service('mig'), api);
    const done = startAddedService(h.api, api, next, new AbortController().signal);
    await tick();
    expect(h.waited.sort()).toEqual(['db:service_healthy', 'mig:service_completed_successfully']);
    h.settle('db');
    await clock.advance(1_000);
    expect(h.starts).toEqual([]);
    h.settle('mig');
    expect(await done).toBeUndefined();
    expect(h.starts).toEqual(['api-1@1000', 'api-2@1000']);
  });

  it('is not started when a required dependency fails, or is missing; an optional one only is not waited on', async () => {
    const clock = new FakeClock();
    const h = host(clock);
    const api = service('api', { dependsOn: { db: dep('service_healthy') } });
    const done = startAddedService(h.api, api, project(service('db'), api), new AbortController().signal);
    await tick();
    h.settle('db', 'p-db-1 exited with code 1 before it became healthy');
    expect(await done).toBe('db failed: p-db-1 exited with code 1 before it became healthy');
    expect(h.starts).toEqual([]);

    const missing = service('web', { dependsOn: { ghost: dep('service_started') } });
    expect(await startAddedService(h.api, missing, project(missing), new AbortController().signal)).toBe(
      'ghost is not in the project',
    );
    const optional = service('web', { dependsOn: { ghost: dep('service_started', false) } });
    expect(
      await startAddedService(h.api, optional, project(optional), new AbortController().signal),
    ).toBeUndefined();
    expect(h.starts).toEqual(['web-1@0']);
  });

  it('gives up after the timeout instead of blocking the edit for ever', async () => {
    const clock = new FakeClock();
    const h = host(clock);
    const api = service('api', { dependsOn: { db: dep('service_healthy') } });
    const done = startAddedService(
      h.api,
      api,
      project(service('db'), api),
      new AbortController().signal,
      5_000,
    );
    await clock.advance(4_999);
    await clock.advance(1);
    expect(await done).toBe('its dependencies were not ready within 5s');
    expect(h.starts).toEqual([]);
  });

  it('comes after the services it depends on in the plan, whatever their names', () => {
    const next = project(
      service('a-web', { dependsOn: { 'z-api': dep('service_healthy') } }),
      service('z-api', { dependsOn: { 'm-db': dep('service_healthy') } }),
      service('m-db'),
    );
    const changes: ServiceChange[] = [
      { kind: 'added', service: 'a-web', replicas: 1 },
      { kind: 'removed', service: 'old' },
      { kind: 'added', service: 'm-db', replicas: 1 },
      { kind: 'added', service: 'z-api', replicas: 1 },
    ];
    expect(inDependencyOrder(changes, next).map((c) => c.service)).toEqual(['old', 'm-db', 'z-api', 'a-web']);
  });
});
