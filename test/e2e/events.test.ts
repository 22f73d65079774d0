import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliPath,
  docker,
  forceClean,
  leftovers,
  orch,
  projectDir,
  uniqueName,
  waitUntil,
} from './helpers.js';

const name = uniqueName('ev');
let dir = '';

const yaml = `
name: ${name}
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 3000 -h /www"]
    stop_signal: SIGKILL
    restart: always
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"]
      interval: 300ms
      retries: 2
  other:
    image: busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    restart: always
x-orch:
  gateway:
    port: 8080
    routes:
      - path: /
        service: web
        port: 3000
`;

interface Follower {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

/** `orch events ARGS` running in the background, its stdout collected line by line. */
function follow(args: readonly string[], cwd = dir): Follower {
  const child = spawn(process.execPath, [cliPath, 'events', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, lines, exited };
}

type Ev = Record<string, unknown> & { time: string; type: string };
const parsed = (f: Follower): Ev[] => f.lines.map((l) => JSON.parse(l) as Ev);
const RFC3339_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Index of the first event at or after `from` that matches. */
function indexOf(events: Ev[], from: number, match: Partial<Ev>): number {
  for (let i = from; i < events.length; i++) {
    const e = events[i] as Ev;
    if (Object.entries(match).every(([k, v]) => e[k] === v)) return i;
  }
  return -1;
}

describe('orch events on a real engine', () => {
  const followers: Follower[] = [];
  beforeAll(async () => {
    dir = projectDir({ 'orch.yaml': yaml });
    const up = await orch(['up', '-d', '--wait', '--timeout', '90', '--gateway-port', '0'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(() => {
    for (const f of followers) f.child.kill('SIGKILL');
    forceClean(name);
  });

  it('follows a killed replica: died, restarting, started, healthy, in order, with their fields', async () => {
    // --since replays what the supervisor kept (its adoption put web-1 in the gateway, after or
    // before its first health verdict): seeing that line says the follower is connected before
    // anything is killed.
    const all = follow(['--json', '--since', '10m']);
    followers.push(all);
    await waitUntil(
      () => indexOf(parsed(all), 0, { type: 'gateway-in', service: 'web', replica: 1 }) >= 0,
      30_000,
      'web-1 in the gateway, replayed',
    );
    const from = all.lines.length;

    docker(['kill', `${name}-web-1`]);
    await waitUntil(
      () => indexOf(parsed(all), from, { type: 'gateway-in', service: 'web', replica: 1 }) >= 0,
      30_000,
      'web-1 back in the gateway',
    );
    const events = parsed(all);
    for (const e of events) expect(e.time).toMatch(RFC3339_MS);
    const died = indexOf(events, from, { type: 'died', service: 'web', replica: 1 });
    const out = indexOf(events, from, { type: 'gateway-out', service: 'web', replica: 1 });
    const restarting = indexOf(events, died, { type: 'restarting', service: 'web', replica: 1 });
    const started = indexOf(events, restarting, { type: 'started', service: 'web', replica: 1 });
    const healthy = indexOf(events, started, { type: 'healthy', service: 'web', replica: 1 });
    const backIn = indexOf(events, healthy, { type: 'gateway-in', service: 'web', replica: 1 });
    expect(
      [died, out, restarting, started, healthy, backIn].every((i) => i >= 0),
      all.lines.join('\n'),
    ).toBe(true);
    expect(events[died]).toMatchObject({ exitCode: 137 });
    const r = events[restarting] as Ev;
    expect(typeof r['afterMs']).toBe('number');
    expect(r['reason']).toMatch(/137/);
    expect(events[started]).toMatchObject({ container: `${name}-web-1` });
    expect(events[backIn]?.['address']).toMatch(/^127\.0\.0\.1:\d+$/);
    // Time runs forward through the sequence.
    expect(Date.parse(events[healthy]?.time ?? '')).toBeGreaterThanOrEqual(
      Date.parse(events[died]?.time ?? ''),
    );
  });

  it('--since replays the kept events first; SERVICE filters; plain lines without --json', async () => {
    docker(['kill', `${name}-other-1`]);
    const webOnly = follow(['web', '--json', '--since', '10m']);
    const plain = follow(['--since', '10m']);
    followers.push(webOnly, plain);
    await waitUntil(
      () =>
        plain.lines.some((l) => / started other-1 /.test(l)) &&
        webOnly.lines.some((l) => l.includes('"healthy"')),
      30_000,
      'replayed and live events',
    );
    const web = parsed(webOnly);
    expect(web.every((e) => e['service'] === 'web')).toBe(true);
    expect(indexOf(web, 0, { type: 'died', service: 'web', exitCode: 137 })).toBeGreaterThanOrEqual(0);
    expect(
      plain.lines.some((l) => /^\S+Z died web-1 exitCode=137$/.test(l)),
      plain.lines.join('\n'),
    ).toBe(true);
    expect(plain.lines.some((l) => /^\S+Z died other-1 exitCode=137$/.test(l))).toBe(true);
    expect(plain.lines.some((l) => /^\S+Z restarting web-1 afterMs=\d+ reason=".*137.*"$/.test(l))).toBe(
      true,
    );
  });

  it('keeps the replaced supervisor’s events: after up -d again, --since still replays them', async () => {
    const again = await orch(['up', '-d', '--wait', '--timeout', '90', '--gateway-port', '0'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    // The old supervisor went away: its followers ended.
    for (const f of followers) expect(await f.exited).toBe(0);
    const r = follow(['--json', '--since', '10m']);
    followers.push(r);
    await waitUntil(
      () => indexOf(parsed(r), 0, { type: 'died', service: 'other', exitCode: 137 }) >= 0,
      30_000,
      'replayed history of the earlier supervisor',
    );
    expect(indexOf(parsed(r), 0, { type: 'died', service: 'web', exitCode: 137 })).toBeGreaterThanOrEqual(0);
  });

  it('ends every follower with exit 0 when the stack goes down, and leaves nothing behind', async () => {
    const down = await orch(['down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    for (const f of followers) expect(await f.exited).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('says the stack is not running, exit 2, when nothing runs', async () => {
    const r = await orch(['events'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not running under orch/);
  });
});

describe('orch events on a foreground up', () => {
  const fgName = uniqueName('evfg');
  let fgDir = '';
  afterAll(() => forceClean(fgName));

  it('follows the foreground stack too, and ends when Ctrl-C takes it down', async () => {
    fgDir = projectDir({ 'orch.yaml': yaml.replace(`name: ${name}`, `name: ${fgName}`) });
    const up = spawn(process.execPath, [cliPath, 'up', '--gateway-port', '0'], {
      cwd: fgDir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    up.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const upExit = new Promise<number | null>((r) => up.on('close', (code) => r(code)));
    try {
      await waitUntil(() => /gateway: http/.test(stderr), 90_000, 'foreground up serving');
      const f = follow(['--json', '--since', '5m'], fgDir);
      await waitUntil(() => f.lines.length > 0, 30_000, 'first event');
      docker(['kill', `${fgName}-other-1`]);
      await waitUntil(
        () => indexOf(parsed(f), 0, { type: 'started', service: 'other', replica: 1 }) >= 0,
        30_000,
        'other-1 restarted',
      );
      expect(indexOf(parsed(f), 0, { type: 'died', service: 'other', exitCode: 137 })).toBeGreaterThanOrEqual(
        0,
      );
      up.kill('SIGINT');
      expect(await upExit).toBe(130);
      expect(await f.exited).toBe(0);
      expect(leftovers(fgName).containers).toEqual([]);
    } finally {
      up.kill('SIGKILL');
    }
  });
});
