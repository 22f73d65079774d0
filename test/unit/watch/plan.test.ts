import { describe, expect, it } from 'vitest';
import { describePlan, diffProjects, hasWork } from '../../../src/core/watch/index.js';
import { project, rule, service } from './helpers.js';

describe('project diff', () => {
  const api = service('api', { replicas: 2 });
  const side = service('side');
  const db = service('db');
  const before = project(api, side, db);

  it('leaves an unchanged project alone', () => {
    const plan = diffProjects(before, project(api, side, db));
    expect(hasWork(plan)).toBe(false);
    expect(describePlan(plan)).toBe('no service changed');
  });

  it('recreates only the service whose configuration changed, and scales by count', () => {
    const after = project(
      { ...api, replicas: 3 },
      { ...side, environment: { MODE: 'x' } },
      { ...db, pos: { file: '/proj/compose.yaml', line: 40, col: 3 } },
    );
    const plan = diffProjects(before, after);
    expect(plan.changes).toEqual([
      { kind: 'scale', service: 'api', from: 2, to: 3 },
      { kind: 'unchanged', service: 'db' },
      { kind: 'recreate', service: 'side', from: 1, to: 1, rebuild: false },
    ]);
    expect(describePlan(plan)).toBe('scale api 2→3, recreate side');
  });

  it('reports added and removed services, recreate with a new count, and rebuilds on a build change', () => {
    const built = service('b', { build: { context: '/p/b', dockerfile: 'Dockerfile', args: {} } });
    const p0 = project(api, built, db);
    const p1 = project(
      { ...api, replicas: 1, command: ['node', 'v2.js'] },
      { ...built, build: { context: '/p/b', dockerfile: 'Dockerfile', args: { V: '2' } } },
      service('cache'),
    );
    const plan = diffProjects(p0, p1);
    expect(describePlan(plan)).toBe('recreate api (2→1), rebuild and recreate b, add cache, remove db');
  });

  it('does not recreate for watch rules or dependency edits, but notes watch changes', () => {
    const p1 = project(
      { ...api, watch: [rule({ action: 'sync', path: '/p', target: '/app' })] },
      { ...side, dependsOn: { db: { condition: 'service_started', restart: false, required: true } } },
      db,
    );
    const plan = diffProjects(before, p1);
    expect(hasWork(plan)).toBe(false);
    expect(plan.watchChanged).toBe(true);
  });
});
