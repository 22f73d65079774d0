import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forceClean, leftovers, orch, projectDir, uniqueName } from './helpers.js';

const projects: string[] = [];
afterAll(() => {
  projects.forEach(forceClean);
  for (const p of projects) expect(leftovers(p)).toEqual({ containers: [], networks: [], volumes: [] });
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

// a and b take turns, a1 b1 a2 ... b5, each printing only once it sees the other's marker file in
// the shared gate/ directory (sleeps 50 ms apart drifted past each other on a loaded machine); all
// start when the test creates gate/go, once `up -d` has started every container; api and worker
// carry ids; big prints 200,000 lines.
const atT = `while [ ! -e /gate/go ]; do sleep 0.01; done`;
const yaml = (name: string): string => `
name: ${name}
services:
  a:
    image: busybox:latest
    command: ["sh", "-c", "${atT}; for i in 1 2 3 4 5; do while [ $$i -gt 1 ] && [ ! -e /gate/b$$((i-1)) ]; do sleep 0.01; done; echo a$$i; touch /gate/a$$i; done; exec sleep 3600"]
    stop_signal: SIGKILL
    volumes: ["./gate:/gate"]
  b:
    image: busybox:latest
    command: ["sh", "-c", "${atT}; for i in 1 2 3 4 5; do while [ ! -e /gate/a$$i ]; do sleep 0.01; done; echo b$$i; touch /gate/b$$i; done; exec sleep 3600"]
    stop_signal: SIGKILL
    volumes: ["./gate:/gate"]
  api:
    image: busybox:latest
    command: ["sh", "-c", "${atT}; echo 'GET /x request_id=abc123'; echo 'request_id=zzz other'; echo '{\\"traceId\\":\\"${TRACE}\\"}'; exec sleep 3600"]
    stop_signal: SIGKILL
    volumes: ["./gate:/gate"]
  worker:
    image: busybox:latest
    command: ["sh", "-c", "${atT}; sleep 0.2; echo 'job done request_id=abc123'; echo 'abc123 in plain text'; exec sleep 3600"]
    stop_signal: SIGKILL
    volumes: ["./gate:/gate"]
  big:
    image: busybox:latest
    command: ["seq", "1", "200000"]
    stop_signal: SIGKILL
`;

describe('orch logs on a real engine', () => {
  const name = uniqueName('logs');
  projects.push(name);
  const dir = projectDir({ 'orch.yaml': yaml(name) });
  mkdirSync(join(dir, 'gate'));
  const run = (args: string[]) => orch(['logs', ...args], { cwd: dir });

  it('starts the project', async () => {
    const up = await orch(['up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    writeFileSync(join(dir, 'gate', 'go'), '');
    // Let every service print (and big finish).
    for (let i = 0; i < 80; i++) {
      const r = await run(['big', 'b', '--tail', '1']);
      if (r.stdout.includes('200000') && r.stdout.includes('b5')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  it('merges two services in time order with padded prefixes', async () => {
    const r = await run(['a', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(
      ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4', 'a5', 'b5'].map((l) => `${l[0]}-1 | ${l}`),
    );
    // And that order is the engine's timestamps' order.
    const j = await run(['a', 'b', '--json']);
    const ts = j.stdout
      .trimEnd()
      .split('\n')
      .map((l) => String((JSON.parse(l) as { ts: string }).ts));
    expect([...ts].sort()).toEqual(ts);
  });

  it('--json: one object per line with ts, service, replica, stream, line (and ids)', async () => {
    const r = await run(['api', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const objs = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs).toHaveLength(3);
    expect(Object.keys(objs[0] ?? {})).toEqual(['ts', 'service', 'replica', 'stream', 'line', 'requestId']);
    expect(objs[0]).toMatchObject({ service: 'api', replica: 1, stream: 'stdout', requestId: 'abc123' });
    expect(objs[2]).toMatchObject({ traceId: TRACE });
    expect(String(objs[0]?.['ts'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('--grep and --tail', async () => {
    const g = await run(['a', 'b', '--grep', '^[ab][24]$']);
    expect(g.stdout.trimEnd().split('\n')).toEqual(['a-1 | a2', 'b-1 | b2', 'a-1 | a4', 'b-1 | b4']);
    const t = await run(['a', 'b', '--tail', '2']);
    expect(t.stdout.trimEnd().split('\n')).toEqual(['a-1 | a4', 'b-1 | b4', 'a-1 | a5', 'b-1 | b5']);
    const ts = await run(['a', '--tail', '1', '--timestamps']);
    expect(ts.stdout).toMatch(/^a-1 \| \d{4}-\d\d-\d\dT[\d:.]+Z a5\n$/);
  });

  it('--trace finds exactly the lines carrying the id across services', async () => {
    const r = await run(['--trace', 'abc123']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'api-1    | GET /x request_id=abc123',
      'worker-1 | job done request_id=abc123',
    ]);
    const t = await run(['--trace', TRACE, '--json']);
    expect(t.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('200,000 lines from one container come out complete and in order', async () => {
    const r = await run(['big', '--no-color']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(200_000);
    for (let i = 0; i < lines.length; i++)
      if (lines[i] !== `big-1 | ${i + 1}`) expect(lines[i]).toBe(`big-1 | ${i + 1}`);
  });

  it('-f prints history, then live lines, until interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const { cliPath } = await import('./helpers.js');
    const child = spawn(process.execPath, [cliPath, 'logs', '-f', 'a', '--tail', '1'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 120 && !out.includes('a5'); i++) await new Promise((res) => setTimeout(res, 250));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(out).toBe('a-1 | a5\n');
    expect(code).toBe(0);
  });

  it('after down, --trace still finds the lines from the store', async () => {
    const down = await orch(['down', '-t', '0'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name).containers).toEqual([]);
    const r = await run(['--trace', 'abc123']);
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/ +\|/, ' |')),
    ).toEqual(['api-1 | GET /x request_id=abc123', 'worker-1 | job done request_id=abc123']);
  });
});

describe('orch logs -f FILE (the compose habit)', () => {
  const yamlOf = 'services:\n  web:\n    image: busybox:latest\n';

  it('with the file also found by discovery: says -f is --follow and to use --file, exit 2', async () => {
    const dir = projectDir({ 'compose.yaml': yamlOf });
    const r = await orch(['logs', '-f', 'compose.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`compose.yaml` is a file, not a service');
    expect(r.stderr).toContain('-f means --follow');
    expect(r.stderr).toContain('orch logs -f --file compose.yaml');
    expect(r.stderr).not.toContain('no such service');
  });

  it('with a file no discovery finds: the same advice instead of "no project file found"', async () => {
    const dir = projectDir({ 'stack.yml': yamlOf });
    const r = await orch(['logs', '-f', 'stack.yml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`stack.yml` is a file, not a service');
    expect(r.stderr).toContain('orch logs -f --file stack.yml');
    expect(r.stderr).not.toContain('no project file found');
  });

  it('an unknown service that is no file is still "no such service"', async () => {
    const dir = projectDir({ 'compose.yaml': yamlOf });
    const r = await orch(['logs', 'nope'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such service: nope');
  });
});
