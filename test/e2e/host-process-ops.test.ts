import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, until as untilEvery } from '../procs.js';
import { freePort, leftovers, orch, projectDir, projectNames, ps, repoRoot, type PsRow } from './helpers.js';

/**
 * `scale`, `restart`, watch and `logs --trace` of host processes (`x-orch.process`) against a
 * running background supervisor: real processes, the real gateway, the real engine for the rest.
 */
const project = projectNames();

/** `orch ps` is slower than a /proc read: polled less often, for longer. */
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000) =>
  untilEvery(what, fn, ms, 200);

/** The supervisor's event log (one JSON line each), as `orch events --json` would show them. */
function events(dir: string, name: string): Record<string, unknown>[] {
  const file = join(dir, '.orch', name, 'supervisor.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e['kind'] === 'event');
}

const procRows = async (dir: string, service: string): Promise<PsRow[]> =>
  (await ps(dir)).filter((r) => r.service === service).sort((a, b) => a.replica - b.replica);

/** The replicas that answered `n` GETs through the gateway (the template answers its ORCH_REPLICA). */
async function replicasSeen(base: string, n: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/web/`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (res?.status === 200) seen.add((JSON.parse(await res.text()) as { replica: number }).replica);
  }
  return seen;
}

describe('host processes under a running supervisor: scale, restart, watch, logs --trace', () => {
  const name = project('hostproc-ops');
  let dir = '';
  let base = '';
  const yaml = (greeting: string) => `name: ${name}
services:
  web:
    x-orch:
      process: { command: [node, server.js], cwd: ./web, port: 3000 }
      # node can take over a second to listen on a loaded machine: failures meanwhile do not count
      probe: { http: { path: /health, port: 3000 }, interval: 300ms, start_period: 20s }
    environment: { GREETING: ${greeting} }
    stop_grace_period: 3s
    develop:
      watch:
        - { action: sync+restart, path: ./web/src, target: /unused }
  self:
    x-orch:
      process: { command: "while true; do sleep 0.2; done", reload: self }
    develop:
      watch:
        - { action: restart, path: ./self }
x-orch:
  gateway:
    routes: [{ path: /web, service: web, port: 3000, strip_prefix: true }]
`;
  /** Every pid a replica had: none may be left running at the end. */
  const pids = new Set<number>();

  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml('one') });
    mkdirSync(join(dir, 'web/src'), { recursive: true });
    mkdirSync(join(dir, 'self'));
    const server = readFileSync(join(repoRoot, 'templates/node-host/server.js'), 'utf8')
      .replaceAll('{{name}}', 'web')
      .replaceAll('{{port}}', '3000');
    writeFileSync(join(dir, 'web/server.js'), server);
    writeFileSync(join(dir, 'web/src/page.txt'), 'v1');
    writeFileSync(join(dir, 'self/file.txt'), 'v1');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const up = await orch(
      ['up', '-d', '--wait', '--watch', '--timeout', '120', '--no-dashboard', '--gateway-port', String(port)],
      { cwd: dir },
    );
    expect(up.code, up.stderr).toBe(0);
    await until('watching', async () => events(dir, name).some((e) => e['type'] === 'watch'));
    for (const r of await ps(dir)) pids.add(r.pid!);
  });

  afterAll(async () => {
    if (!dir) return;
    const down = await orch(['down', '-t', '5'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    for (const p of pids) expect(groupMembers(p), `group ${p}`).toEqual([]);
    expect(readdirSync(join(dir, '.orch', name, 'processes')).filter((f) => f.startsWith('proc-'))).toEqual(
      [],
    );
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('scale web=2 then back to 1: two pids, the gateway round-robins to both, the removed one is gone', async () => {
    const up = await orch(['scale', 'web=2'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const two = await until('two healthy web replicas', async () => {
      const rows = await procRows(dir, 'web');
      return rows.length === 2 && rows.every((r) => r.state === 'running' && r.health === 'healthy') && rows;
    });
    const [one, second] = two.map((r) => r.pid!);
    expect(one).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    expect(second).not.toBe(one);
    pids.add(second!);
    // the gateway learns the new replica once it is healthy
    await until(
      'both replicas answer through the gateway',
      async () => (await replicasSeen(base, 8)).size === 2,
    );

    const down = await orch(['scale', 'web=1'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    const rows = await until('one web replica', async () => {
      const r = await procRows(dir, 'web');
      return r.length === 1 && r;
    });
    expect(rows[0]).toMatchObject({ replica: 1, pid: one, state: 'running' });
    await until('replica 2 stopped', async () => groupMembers(second!).length === 0);
    expect([...(await replicasSeen(base, 6))]).toEqual([1]);
    const scaled = events(dir, name).filter((e) => e['type'] === 'scaled' && e['service'] === 'web');
    expect(scaled.map((e) => [e['from'], e['to']])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('restart web: a new pid, healthy again before it returns, rollout and health events', async () => {
    const before = (await procRows(dir, 'web'))[0]!;
    const seen = events(dir, name).length;
    const r = await orch(['restart', 'web'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const after = (await procRows(dir, 'web'))[0]!;
    // restart waits for health: no polling needed
    expect(after).toMatchObject({ replica: 1, state: 'running', health: 'healthy' });
    expect(after.pid).not.toBe(before.pid);
    pids.add(after.pid!);
    expect(groupMembers(before.pid!)).toEqual([]);
    const fresh = events(dir, name)
      .slice(seen)
      .filter((e) => e['service'] === 'web');
    const steps = fresh.filter((e) => e['type'] === 'rollout').map((e) => [e['cause'], e['phase']]);
    expect(steps).toEqual([
      ['restart', 'stopping'],
      ['restart', 'healthy'],
    ]);
    expect(fresh.some((e) => e['type'] === 'healthy' && e['replica'] === 1)).toBe(true);
    expect((await replicasSeen(base, 2)).has(1)).toBe(true);
  });

  it('logs --trace finds the process line and the gateway line of a request sent through the gateway', async () => {
    const id = `trace-${name}`;
    const res = await fetch(`${base}/web/`, { headers: { 'x-request-id': id } });
    expect(res.status).toBe(200);
    const lines = await until('both lines kept', async () => {
      const r = await orch(['logs', '--trace', id], { cwd: dir });
      const out = r.stdout.split('\n').filter(Boolean);
      return out.some((l) => /^gateway/.test(l)) && out.some((l) => /^web-1/.test(l)) && out;
    });
    expect(lines.find((l) => l.startsWith('web-1'))).toContain(`"request_id":"${id}"`);
    expect(lines.find((l) => l.startsWith('gateway'))).toContain(id);
    expect(lines.every((l) => l.includes(id))).toBe(true);
  });

  it('watch: a change under a rule restarts the process (new pid); reload: self leaves its process alone', async () => {
    const selfPid = (await procRows(dir, 'self'))[0]!.pid!;
    const webPid = (await procRows(dir, 'web'))[0]!.pid!;
    const seen = events(dir, name).length;
    // self first: by the time web's restart is done, a change to self has had its chance too
    writeFileSync(join(dir, 'self/file.txt'), 'v2');
    writeFileSync(join(dir, 'web/src/page.txt'), 'v2');
    const done = await until('web restarted by watch', async () =>
      events(dir, name)
        .slice(seen)
        .find((e) => e['type'] === 'watch' && e['phase'] === 'done' && e['service'] === 'web'),
    );
    expect(done['action']).toBe('restart');
    const web = await until('web running again', async () => {
      const r = (await procRows(dir, 'web'))[0];
      return r && r.state === 'running' && r.health === 'healthy' && r;
    });
    expect(web.pid).not.toBe(webPid);
    pids.add(web.pid!);
    expect(groupMembers(webPid)).toEqual([]);
    const watchOfSelf = events(dir, name)
      .slice(seen)
      .filter((e) => e['type'] === 'watch' && e['service'] === 'self');
    expect(watchOfSelf).toEqual([]);
    expect((await procRows(dir, 'self'))[0]!.pid).toBe(selfPid);
  });

  it('an edit of the project file recreates the process with its new environment (reloaded)', async () => {
    const before = (await procRows(dir, 'web'))[0]!.pid!;
    const seen = events(dir, name).length;
    writeFileSync(join(dir, 'orch.yaml'), yaml('two'));
    await until('reloaded applied', async () =>
      events(dir, name)
        .slice(seen)
        .some((e) => e['type'] === 'reloaded' && e['phase'] === 'applied'),
    );
    const web = await until('web recreated and healthy', async () => {
      const r = (await procRows(dir, 'web'))[0];
      return r && r.pid !== before && r.state === 'running' && r.health === 'healthy' && r;
    });
    pids.add(web.pid!);
    // the shim leads the group; the command is its child, with the service's environment
    const environs = groupMembers(web.pid!).map((p) =>
      readFileSync(`/proc/${p}/environ`, 'utf8').split('\0'),
    );
    const server = environs.find((env) => env.some((v) => v.startsWith('GREETING=')));
    expect(server).toContain('GREETING=two');
    // and the gateway it is served behind (it has no container dependency to get a URL for)
    expect(server).toContain(`ORCH_GATEWAY_URL=${base}`);
  });
});
