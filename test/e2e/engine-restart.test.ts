import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliPath,
  forceClean,
  leftovers,
  orch,
  projectDir,
  ps,
  repoRoot,
  supervisorPids,
  uniqueName,
  waitUntil,
} from './helpers.js';

/**
 * The Docker engine restarts while a stack is supervised: the supervisor reconnects, re-reads
 * the project by label, applies each service's restart policy to what died with the engine (the
 * engine restarts nothing itself: orch gives Docker the policy `no`, and this daemon has no
 * live-restore), and recreates nothing. It stops and starts the machine's dockerd itself
 * (`scripts/ensure-docker.sh restart`), so it needs root or password-less sudo and a local engine;
 * every other engine test file dies with the engine if run beside it (the engine tier runs files
 * one at a time).
 */
const ensureDocker = join(repoRoot, 'scripts/ensure-docker.sh');

const name = uniqueName('enginerestart');
// Each run of web prints this once: the line after the engine restart is the second one.
const traceId = `${name.replace(/[^a-z0-9]/g, '')}run`;
const runLine = `run trace_id=${traceId}`;
const yaml = `
name: ${name}
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "echo ${runLine}; touch /tmp/ok; exec sleep 3600"]
    stop_signal: SIGKILL
    restart: always
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 300ms
      retries: 2
  once:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    restart: "no"
  job:
    image: busybox:latest
    command: ["true"]
`;

interface Ev {
  time: string;
  type: string;
  service?: string;
  replica?: number;
}

/** `orch events --json [args]` until `done` holds for what it printed (or `ms` passed). */
function collectEvents(dir: string, args: readonly string[], done: (evs: Ev[]) => boolean, ms: number) {
  const child = spawn(process.execPath, [cliPath, 'events', '--json', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const parsed = (): Ev[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Ev);
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    parsed,
    stderr: () => err,
    stop: () => child.kill('SIGKILL'),
    wait: () => waitUntil(() => done(parsed()), ms, `events ${args.join(' ')}`).finally(() => child.kill()),
  };
}

/** How many of web's run lines the supervisor's log recording stored (what --trace and the dashboard read). */
function storedRuns(dir: string): number {
  let text = '';
  try {
    text = readFileSync(join(dir, '.orch', 'logs', name, 'current.jsonl'), 'utf8');
  } catch {
    return 0;
  }
  return text.split('\n').filter((l) => l.includes(runLine)).length;
}

const runsIn = (text: string): number => text.split('\n').filter((l) => l.includes(runLine)).length;

/**
 * `orch logs -f web`, kept running through the restart, from a copy of the project directory:
 * the follower stores what it reads too, in its own directory, so the project's store still shows
 * what the supervisor alone recorded.
 */
function followLogs() {
  const dir = projectDir({ 'orch.yaml': yaml });
  const child = spawn(process.execPath, [cliPath, 'logs', '-f', 'web'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { out: () => out, stop: () => child.kill('SIGKILL') };
}

const typesOf = (evs: readonly Ev[], service: string): string[] =>
  evs.filter((e) => e.service === service).map((e) => e.type);

describe('an engine restart under a running supervisor', () => {
  let dir = '';
  afterAll(async () => {
    // Whatever happened above, the engine answers for the test files after this one.
    spawnSync('bash', [ensureDocker], { stdio: 'inherit', timeout: 120_000 });
    // `down` first: a supervisor left running would restart (recreate) what forceClean removes.
    if (dir !== '') await orch(['down', '-t', '0'], { cwd: dir });
    forceClean(name);
  });

  it('reconnects, restarts what its policy restarts, recreates nothing, and orch events shows it', async () => {
    dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--wait', '--no-gateway', '--timeout', '90'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const before = await ps(dir);
    expect(before.map((r) => [r.service, r.state.split(' ')[0]]).sort()).toEqual([
      ['job', 'exited'],
      ['once', 'running'],
      ['web', 'running'],
    ]);
    const [supervisor] = supervisorPids(name);
    expect(supervisor).toBeDefined();
    // A follower attached through the restart (from a minute back, so it misses nothing while it
    // starts up): the supervisor and its control socket outlive the engine.
    const live = collectEvents(dir, ['--since', '1m'], () => false, 0);
    // The supervisor records every replica's log from the start; so does a follower.
    await waitUntil(() => storedRuns(dir) === 1, 20_000, "web's first run line stored");
    const tail = followLogs();
    await waitUntil(() => runsIn(tail.out()) === 1, 20_000, 'orch logs -f printing web');

    const restartedAt = Date.now();
    const r = spawnSync('bash', [ensureDocker, 'restart'], { encoding: 'utf8', timeout: 120_000 });
    const restartMs = Date.now() - restartedAt;
    expect(r.status, `ensure-docker.sh restart:\n${r.stderr}`).toBe(0);
    console.log(`engine restart took ${restartMs} ms`);

    try {
      await waitUntil(
        async () => {
          const rows = await ps(dir).catch(() => []);
          const web = rows.find((x) => x.service === 'web');
          return web?.state === 'running' && web.health === 'healthy' && web.restarts === 1;
        },
        60_000,
        'web running, healthy and counted as restarted once',
      );
      console.log(`web healthy again ${Date.now() - restartedAt} ms after the restart began`);
      const after = await ps(dir);
      // The same supervisor, the same containers: restarted where the policy says so, not recreated.
      expect(supervisorPids(name)).toEqual([supervisor]);
      expect(after.map((x) => x.container).sort()).toEqual(before.map((x) => x.container).sort());
      expect(leftovers(name).containers).toHaveLength(before.length);
      const row = (s: string) => after.find((x) => x.service === s);
      expect(row('once')?.state).toMatch(/^exited/);
      expect(row('once')?.restarts).toBe(0);
      expect(row('job')?.state).toBe('exited (0)');

      // The supervisor kept what happened: replayed with --since, the restart's events in order.
      const isNew = (e: Ev) => Date.parse(e.time) >= restartedAt;
      const replay = collectEvents(
        dir,
        ['--since', '5m'],
        (evs) => {
          const news = evs.filter(isNew);
          return typesOf(news, 'web').includes('healthy') && typesOf(news, 'once').includes('not-restarted');
        },
        20_000,
      );
      await replay.wait().catch((e: Error) => {
        throw new Error(`${e.message}\n${JSON.stringify(replay.parsed())}\n${replay.stderr()}`);
      });
      const events = replay.parsed().filter(isNew);
      const web = typesOf(events, 'web');
      const context = JSON.stringify(events);
      // `started` is there when the new event stream subscribed before orch started the container
      // again; `restarted` always is.
      expect(web, context).toEqual(expect.arrayContaining(['died', 'restarting', 'restarted', 'healthy']));
      expect(web.indexOf('died'), context).toBeLessThan(web.indexOf('restarting'));
      expect(web.indexOf('restarting'), context).toBeLessThan(web.indexOf('restarted'));
      expect(web.indexOf('restarted'), context).toBeLessThan(web.lastIndexOf('healthy'));
      expect(
        web.filter((t) => t === 'restarted'),
        context,
      ).toHaveLength(1);
      // No replica was taken for stopped by hand (dockerd stops every container on its way out).
      expect(
        events.some((e) => e.type === 'stopped' || e.type === 'crash-loop'),
        context,
      ).toBe(false);
      expect(typesOf(events, 'once'), context).toEqual(['died', 'not-restarted']);
      // The finished job was not running: the engine's restart is nothing to it.
      expect(typesOf(events, 'job'), context).toEqual([]);
      expect(
        events.some((e) => e.type === 'created'),
        context,
      ).toBe(false);
      // ...and the follower attached all along saw the same story.
      await waitUntil(
        () => live.parsed().filter(isNew).length >= events.length,
        10_000,
        'follower caught up',
      );
      const seen = live.parsed().filter(isNew);
      expect(seen.map((e) => `${e.service}:${e.type}`)).toEqual(events.map((e) => `${e.service}:${e.type}`));

      // What web printed after the restart is recorded too (checked before `orch logs` itself
      // reads the engine and stores what it read), and reached the follower, once each.
      await waitUntil(() => storedRuns(dir) >= 2, 20_000, "web's second run line stored").catch(
        (e: Error) => {
          throw new Error(`${e.message}: stored ${storedRuns(dir)}`);
        },
      );
      await waitUntil(() => runsIn(tail.out()) >= 2, 20_000, 'orch logs -f printing the second run').catch(
        (e: Error) => {
          throw new Error(`${e.message}:\n${tail.out()}`);
        },
      );
      const logs = await orch(['logs', 'web'], { cwd: dir });
      expect(logs.code, logs.stderr).toBe(0);
      expect(runsIn(logs.stdout), logs.stdout).toBe(2);
      expect(storedRuns(dir)).toBe(2);
      expect(runsIn(tail.out()), tail.out()).toBe(2);
    } finally {
      live.stop();
      tail.stop();
    }
    const down = await orch(['down', '-t', '0'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
    // With the containers gone, --trace reads the store: both runs are there.
    const traced = await orch(['logs', '--trace', traceId], { cwd: dir });
    expect(traced.code, traced.stderr).toBe(0);
    expect(runsIn(traced.stdout), traced.stdout).toBe(2);
  }, 240_000);
});
