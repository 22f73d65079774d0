import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessRuntime, processesDir } from '../../src/adapters/process/index.js';
import type { RuntimeEvent } from '../../src/core/runtime/port.js';
import { OrchError } from '../../src/errors/index.js';
import type { Project } from '../../src/model/project.js';
import { loadProject, memoryFs } from '../../src/project/index.js';
import { alive, groupMembers, until } from '../procs.js';

let dir: string;
let runtimes: ProcessRuntime[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-proc-'));
  runtimes = [];
});

afterEach(async () => {
  // Whatever a test left running goes (through a fresh runtime: it finds them on disk).
  const rt = runtime();
  for (const name of projectNames())
    for (const r of await rt.list(name)) await rt.remove(r.id, { graceMs: 0 });
  for (const r of runtimes) r.close();
  rmSync(dir, { recursive: true, force: true });
});

function projectNames(): string[] {
  try {
    return readdirSync(join(dir, '.orch'));
  } catch {
    return [];
  }
}

function runtime(): ProcessRuntime {
  const rt = new ProcessRuntime({ dirOf: (name) => processesDir(dir, name), pollMs: 50 });
  runtimes.push(rt);
  return rt;
}

async function project(yaml: string): Promise<Project> {
  const file = join(dir, 'orch.yaml');
  writeFileSync(file, yaml);
  const { project } = await loadProject(
    { cwd: dir, files: [file], env: { PATH: process.env['PATH'] ?? '' } },
    memoryFs({ [file]: yaml }),
  );
  return project;
}

/** A project of one host process, `service`, running the shell command `command`. */
function oneProcess(name: string, command: string, service = 'svc'): Promise<Project> {
  return project(
    `name: ${name}\nservices:\n  ${service}:\n    x-orch:\n      process: { command: ${JSON.stringify(command)} }\n`,
  );
}

async function up(rt: ProcessRuntime, p: Project, service: string, replica = 1) {
  const spec = p.services[service]!;
  const snap = await rt.create(p, spec, replica);
  await rt.start(snap.id);
  return rt.inspect(snap.id);
}

async function collect(rt: ProcessRuntime, name: string, signal: AbortSignal): Promise<RuntimeEvent[]> {
  const seen: RuntimeEvent[] = [];
  void (async () => {
    for await (const e of rt.events(name, signal)) seen.push(e);
  })();
  // The subscription reads the state dir before it listens: give it that moment.
  await new Promise((r) => setTimeout(r, 100));
  return seen;
}

async function allLogs(
  rt: ProcessRuntime,
  id: string,
  opts: Partial<Parameters<ProcessRuntime['logs']>[1]> = {},
) {
  const lines = [];
  for await (const batch of rt.logs(id, { follow: false, timestamps: true, ...opts })) lines.push(...batch);
  return lines;
}

const SERVER = `import { createServer } from 'node:http';
createServer((_q, s) => s.end(process.env.ORCH_REPLICA + ' ' + process.env.GREETING)).listen(Number(process.env.PORT), '127.0.0.1');
`;

describe('ProcessRuntime (real processes)', () => {
  it('gives each replica ORCH_REPLICA, its own free PORT published under the declared port, and the service environment', async () => {
    writeFileSync(join(dir, 'server.mjs'), SERVER);
    const p = await project(`name: envs
services:
  web:
    x-orch:
      process: { command: [node, server.mjs], port: 3000 }
    environment: { GREETING: hello }
    deploy: { replicas: 2 }
`);
    const rt = runtime();
    const a = await up(rt, p, 'web', 1);
    const b = await up(rt, p, 'web', 2);
    for (const s of [a, b]) {
      expect(s).toMatchObject({ runtime: 'process', state: 'running', image: 'node server.mjs' });
      expect(s.ports).toHaveLength(1);
      expect(s.ports[0]).toMatchObject({ containerPort: 3000, hostIp: '127.0.0.1', protocol: 'tcp' });
      expect(s.pid).toBeGreaterThan(0);
      expect(s.labels).toMatchObject({ 'dev.orch.project': 'envs', 'dev.orch.service': 'web' });
    }
    expect(a.ports[0]!.hostPort).not.toBe(b.ports[0]!.hostPort);
    const get = (port: number) =>
      until(`GET :${port}`, () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.text(),
          () => undefined,
        ),
      );
    expect(await get(a.ports[0]!.hostPort)).toBe('1 hello');
    expect(await get(b.ports[0]!.hostPort)).toBe('2 hello');
    expect(
      (await rt.list('envs', { service: 'web' })).map((r) => r.labels['dev.orch.replica']).sort(),
    ).toEqual(['1', '2']);
  });

  it('uses a fixed published port exactly, and a taken one is an error naming the service', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const taken = (holder.address() as { port: number }).port;
    try {
      const p = await project(`name: fixed
services:
  web:
    x-orch:
      process: { command: "sleep 30", port: 3000 }
    ports: ["${taken}:3000"]
`);
      const rt = runtime();
      const err = await rt.create(p, p.services['web']!, 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrchError);
      expect((err as OrchError).message).toBe(`port ${taken} of host process \`web\` is already in use`);
      await new Promise<void>((r) => holder.close(() => r()));
      const s = await rt.create(p, p.services['web']!, 1);
      expect(s.ports[0]).toMatchObject({ containerPort: 3000, hostPort: taken });
    } finally {
      holder.close();
    }
  });

  it('stop signals the whole group: a child that started grandchildren leaves nothing behind', async () => {
    const p = await oneProcess('tree', "sleep 300 & sleep 300 & sh -c 'sleep 300 & wait' & wait", 't');
    const rt = runtime();
    const s = await up(rt, p, 't');
    const pgid = s.pid!;
    // shim, sh, 3 sleeps, the inner sh: at least 6
    await until('the tree', () => groupMembers(pgid).length >= 6);
    const members = groupMembers(pgid);
    await rt.stop(s.id, 5_000);
    expect(members.filter(alive)).toEqual([]);
    expect(groupMembers(pgid)).toEqual([]);
    expect((await rt.inspect(s.id)).state).toBe('exited');
  });

  it('stop_signal goes first; after stop_grace_period the group gets SIGKILL (exit 137)', async () => {
    const p = await project(`name: sig
services:
  polite:
    x-orch:
      process: { command: "trap 'echo got INT; exit 0' INT; echo ready; while true; do sleep 0.05; done" }
    stop_signal: SIGINT
  stubborn:
    x-orch:
      process: { command: "trap '' TERM; echo ready; while true; do sleep 0.05; done" }
`);
    const rt = runtime();
    const polite = await up(rt, p, 'polite');
    // Its trap is set once it has printed: a signal sent before that (a fixed 200 ms was not enough
    // at load ~12) meets the shell's default action instead.
    await until('ready', async () => (await allLogs(rt, polite.id)).length > 0);
    await rt.stop(polite.id, 10_000);
    const pe = await rt.inspect(polite.id);
    expect(pe).toMatchObject({ state: 'exited', exitCode: 0 });
    expect((await allLogs(rt, polite.id)).map((l) => l.line)).toContain('got INT');

    const stubborn = await up(rt, p, 'stubborn');
    await until('ready', async () => (await allLogs(rt, stubborn.id)).length > 0);
    const t0 = Date.now();
    await rt.stop(stubborn.id, 600);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(5_000);
    expect(await rt.inspect(stubborn.id)).toMatchObject({ state: 'exited', exitCode: 137 });
    expect(groupMembers(stubborn.pid!)).toEqual([]);
  });

  it('reports exits with their codes as events: start, then die with exitCode', async () => {
    const p = await oneProcess('ev', 'sleep 0.3; exit 7', 'quick');
    const rt = runtime();
    const ac = new AbortController();
    const seen = await collect(rt, 'ev', ac.signal);
    const s = await up(rt, p, 'quick');
    await until('die', () => seen.find((e) => e.type === 'die'));
    ac.abort();
    expect(seen.map((e) => e.type)).toEqual(['create', 'start', 'die']);
    expect(seen.at(-1)).toMatchObject({ type: 'die', id: s.id, exitCode: 7 });
    expect(await rt.inspect(s.id)).toMatchObject({ state: 'exited', exitCode: 7 });
    // started again: the same replica, a new run
    await rt.start(s.id);
    expect((await rt.inspect(s.id)).state).toBe('running');
  });

  it('a new runtime adopts a running process by pid and start time, follows its end and can stop it', async () => {
    const p = await oneProcess('adopt', 'echo hi; sleep 300');
    const first = runtime();
    const s = await up(first, p, 'svc');
    first.close();
    runtimes.splice(runtimes.indexOf(first), 1);

    const second = runtime();
    const [found] = await second.list('adopt');
    expect(found).toMatchObject({ id: s.id, state: 'running', pid: s.pid });
    const ac = new AbortController();
    const seen = await collect(second, 'adopt', ac.signal);
    // Killed from outside (not a child of this runtime): polled liveness reports it.
    process.kill(s.pid!, 'SIGKILL');
    const die = await until('die', () => seen.find((e) => e.type === 'die'));
    ac.abort();
    expect(die).toMatchObject({ id: s.id, exitCode: 137 });
    // The command, orphaned when its shim died, went with it.
    await until('group gone', () => groupMembers(s.pid!).length === 0);
    expect((await second.inspect(s.id)).state).toBe('exited');
  });

  it('a state file whose pid now belongs to another process is not adopted, nor signalled', async () => {
    const p = await oneProcess('recycled', 'sleep 300');
    const rt = runtime();
    const s = await rt.create(p, p.services['svc']!, 1);
    const stranger = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    try {
      const file = join(processesDir(dir, 'recycled'), `${s.id}.json`);
      const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      // The pid is live, the start time is not its own: an earlier process that had this pid.
      writeFileSync(
        file,
        JSON.stringify({
          ...rec,
          run: { pid: stranger.pid, startTime: '1', startedAt: new Date().toISOString() },
        }),
      );
      const [snap] = await runtime().list('recycled');
      expect(snap).toMatchObject({ state: 'exited', exitCode: 137 });
      await rt.stop(s.id, 0);
      await rt.kill(s.id);
      await rt.remove(s.id, { graceMs: 0 });
      expect(alive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('logs: stamped lines of both streams, tail, since, and follow until aborted or the process ends', async () => {
    const p = await oneProcess(
      'logs',
      'for i in 1 2 3 4 5; do echo out-$$i; done; echo err-1 >&2; while [ ! -f go ]; do sleep 0.05; done; echo late; sleep 0.3',
      'talk',
    );
    const rt = runtime();
    const s = await up(rt, p, 'talk');
    await until('first lines', async () => (await allLogs(rt, s.id)).length >= 6);
    const all = await allLogs(rt, s.id);
    expect(all.map((l) => [l.stream, l.line])).toEqual([
      ['stdout', 'out-1'],
      ['stdout', 'out-2'],
      ['stdout', 'out-3'],
      ['stdout', 'out-4'],
      ['stdout', 'out-5'],
      ['stderr', 'err-1'],
    ]);
    for (const l of all) expect(Date.parse(l.ts)).toBeGreaterThan(Date.now() - 60_000);
    expect((await allLogs(rt, s.id, { tail: 2 })).map((l) => l.line)).toEqual(['out-5', 'err-1']);
    expect(await allLogs(rt, s.id, { sinceS: Date.now() / 1000 + 60 })).toEqual([]);
    expect((await allLogs(rt, s.id, { timestamps: false }))[0]?.ts).toBe('');

    // follow: the late line arrives, then the stream ends with the process.
    const followed: string[] = [];
    const following = (async () => {
      for await (const batch of rt.logs(s.id, { follow: true, tail: 1, timestamps: false }))
        followed.push(...batch.map((l) => l.line));
    })();
    await until('the tail', () => followed.length === 1);
    writeFileSync(join(dir, 'go'), '');
    await following;
    expect(followed).toEqual(['err-1', 'late']);
    expect((await rt.inspect(s.id)).state).toBe('exited');

    // follow of a running one stops when aborted
    const again = await up(rt, await oneProcess('logs2', 'echo one; sleep 300', 'idle'), 'idle');
    const ac = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const batch of rt.logs(again.id, { follow: true, timestamps: false, signal: ac.signal }))
        got.push(...batch.map((l) => l.line));
    })();
    await until('one', () => got.includes('one'));
    ac.abort();
    await done;
  });

  it('exec runs on the host in the process cwd and environment', async () => {
    mkdirSync(join(dir, 'sub'));
    const p = await project(`name: ex
services:
  svc:
    x-orch:
      process: { command: "sleep 300", cwd: ./sub }
    environment: { FOO: bar }
`);
    const rt = runtime();
    const s = await up(rt, p, 'svc');
    const r = await rt.exec(s.id, ['sh', '-c', 'pwd; echo $FOO $ORCH_REPLICA; exit 3']);
    expect(r).toEqual({ exitCode: 3, output: `${join(dir, 'sub')}\nbar 1\n` });
    expect((await rt.exec(s.id, ['no-such-command-for-orch'])).exitCode).toBe(127);
    await expect(rt.exec(s.id, ['sleep', '5'], { timeoutMs: 200 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('a command or shell that does not exist, or a missing cwd, is a clear error naming the service at start', async () => {
    const p = await project(`name: missing
services:
  nocmd:
    x-orch:
      process: { command: [no-such-command-for-orch, --flag] }
  noshell:
    x-orch:
      process: { command: "echo hi", shell: /no/such/shell }
  nodir:
    x-orch:
      process: { command: "echo hi", cwd: ./not-there }
`);
    const rt = runtime();
    const msg = async (svc: string) => {
      const s = await rt.create(p, p.services[svc]!, 1);
      const err = await rt.start(s.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrchError);
      expect((await rt.inspect(s.id)).state).toBe('created');
      return (err as OrchError).message;
    };
    expect(await msg('nocmd')).toBe(
      'the command `no-such-command-for-orch` of host process `nocmd` is not found or not executable',
    );
    expect(await msg('noshell')).toBe(
      'the shell `/no/such/shell` of host process `noshell` is not found or not executable',
    );
    expect(await msg('nodir')).toBe(
      `the cwd \`${join(dir, 'not-there')}\` of host process \`nodir\` does not exist`,
    );
  });

  it('runs the healthcheck on the host: starting, healthy, then unhealthy with its output', async () => {
    const p = await project(`name: hc
services:
  svc:
    x-orch:
      process: { command: "sleep 0.3; touch ready; sleep 300" }
    healthcheck:
      test: ["CMD-SHELL", "test -f ready || { echo not ready; exit 1; }"]
      interval: 100ms
      retries: 2
`);
    const rt = runtime();
    const ac = new AbortController();
    const seen = await collect(rt, 'hc', ac.signal);
    const s = await up(rt, p, 'svc');
    expect(s.health).toBe('starting');
    await until('healthy', () => seen.find((e) => e.type === 'health' && e.health === 'healthy'));
    expect((await rt.inspect(s.id)).health).toBe('healthy');
    rmSync(join(dir, 'ready'));
    const bad = await until('unhealthy', () =>
      seen.find((e) => e.type === 'health' && e.health === 'unhealthy'),
    );
    ac.abort();
    expect(bad).toMatchObject({ id: s.id, output: 'not ready\n' });
  });

  it('remove stops the process and forgets it (state and log)', async () => {
    const p = await oneProcess('rm', 'sleep 300');
    const rt = runtime();
    const s = await up(rt, p, 'svc');
    await rt.remove(s.id, { graceMs: 1_000 });
    expect(groupMembers(s.pid!)).toEqual([]);
    expect(await rt.list('rm')).toEqual([]);
    expect(readdirSync(processesDir(dir, 'rm'))).toEqual([]);
    await expect(rt.inspect(s.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
