import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The fresh-machine scripts' helpers (scripts/lib.sh), run by bash with stubs first on PATH: no
// real apt-get and no real dockerd is ever called.
const repo = resolve(import.meta.dirname, '../..');
const lib = join(repo, 'scripts/lib.sh');
const tmp = mkdtempSync(join(tmpdir(), 'orch-scripts-'));
const started: number[] = [];
afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

function stubDir(name: string, stubs: Record<string, string>): string {
  const dir = join(tmp, name);
  spawnSync('mkdir', ['-p', dir]);
  for (const [bin, body] of Object.entries(stubs)) {
    writeFileSync(join(dir, bin), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, bin), 0o755);
  }
  return dir;
}

function bash(script: string, env: Record<string, string>) {
  return spawnSync('bash', ['-c', `. '${lib}'\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/** pgrp and session of a live process, from /proc (fields 5 and 6 of its stat line). */
function ids(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(rest[2]), session: Number(rest[3]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// apt, debconf and needrestart as they chatter on a first install.
const APT_STUB = `echo "$DEBIAN_FRONTEND $NEEDRESTART_MODE $*" >> "$CALLS"
echo "Reading package lists... Done"
echo "debconf: unable to initialize frontend: Dialog" >&2
echo "needrestart is being skipped"
case " $* " in *" install "*) exit "\${INSTALL_EXIT:-0}";; esac`;

describe('scripts/lib.sh: apt-get calls', () => {
  it('every call waits for the dpkg lock and asks nothing; one line on screen, the chatter in the log', () => {
    const calls = join(tmp, 'calls-ok');
    const log = join(tmp, 'setup-ok.log');
    const r = bash('apt_install ensure-docker docker.io', {
      PATH: `${stubDir('apt-ok', { 'apt-get': APT_STUB })}:${process.env['PATH'] ?? ''}`,
      CALLS: calls,
      ORCH_SETUP_LOG: log,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ensure-docker: installing docker.io (log: ${log})\n`);
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^noninteractive a -o DPkg::Lock::Timeout=600 .*-y/);
    expect(lines[0]).toMatch(/ update$/);
    expect(lines[1]).toMatch(/ install docker\.io$/);
    const logged = readFileSync(log, 'utf8');
    expect(logged).toContain('debconf: unable to initialize frontend');
    expect(logged).toContain('needrestart is being skipped');
  });

  it('a failing install says so, with the end of the log, and fails the step', () => {
    const log = join(tmp, 'setup-fail.log');
    const r = bash('apt_install make-base-images redis-server; echo "rc=$?"', {
      PATH: `${stubDir('apt-fail', { 'apt-get': APT_STUB })}:${process.env['PATH'] ?? ''}`,
      CALLS: join(tmp, 'calls-fail'),
      ORCH_SETUP_LOG: log,
      INSTALL_EXIT: '100',
    });
    expect(r.stdout).toBe('rc=100\n');
    expect(r.stderr).toContain('make-base-images: installing redis-server failed (exit 100)');
    expect(r.stderr).toContain('debconf: unable to initialize frontend');
  });

  it('no script calls apt-get other than through apt_get', () => {
    const scripts = readdirSync(join(repo, 'scripts')).filter((f) => f.endsWith('.sh'));
    expect(scripts).toEqual(expect.arrayContaining(['ensure-docker.sh', 'make-base-images.sh', 'lib.sh']));
    for (const f of scripts) {
      const text = readFileSync(join(repo, 'scripts', f), 'utf8');
      // apt-get in command position (not inside a message to the user).
      const direct = text
        .split('\n')
        .filter((l) => /^\s*(\$\w+\s+)?(env\s+)?(\w+=\S+\s+)*\\?\s*apt-get\b/.test(l));
      if (f === 'lib.sh')
        expect(direct).toEqual(['    apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q -y "$@"']);
      else expect(direct, f).toEqual([]);
    }
  });
});

describe('scripts/lib.sh: dockerd in a session of its own', () => {
  it('ensure-docker.sh starts dockerd through start_detached only', () => {
    const text = readFileSync(join(repo, 'scripts/ensure-docker.sh'), 'utf8');
    expect(text).toContain('start_detached "$LOG" dockerd');
    expect(text).not.toMatch(/nohup|^\s*(\$\w+\s+)?(sh -c .*)?dockerd\b/m);
  });

  it('start_detached runs the command outside the caller session, stdin from /dev/null; Ctrl-C on the caller spares it', async () => {
    const pidFile = join(tmp, 'daemon.pid');
    const log = join(tmp, 'daemon.log');
    const dir = stubDir('daemon', {
      'fake-dockerd': `echo $$ > "${pidFile}"\necho "daemon says hello"\nexec sleep 120`,
    });
    // The caller as a terminal would run it: its own process group, then Ctrl-C to that group.
    const caller = spawn('bash', ['-c', `. '${lib}'\nstart_detached '${log}' fake-dockerd\nexec sleep 120`], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` },
    });
    const callerPid = caller.pid ?? 0;
    started.push(callerPid);
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'daemon pid file');
    const daemon = Number(readFileSync(pidFile, 'utf8').trim());
    started.push(daemon);

    const c = ids(callerPid);
    const d = ids(daemon);
    expect(c.pgrp).toBe(callerPid);
    expect(d.session).not.toBe(c.session);
    expect(d.pgrp).not.toBe(c.pgrp);
    expect(d.session).not.toBe(ids(process.pid).session);
    expect(readlinkSync(`/proc/${daemon}/fd/0`)).toBe('/dev/null');
    await until(
      () => existsSync(log) && readFileSync(log, 'utf8').includes('daemon says hello'),
      'daemon log',
    );

    const exited = new Promise<NodeJS.Signals | null>((r) => caller.on('exit', (_code, sig) => r(sig)));
    process.kill(-callerPid, 'SIGINT');
    expect(await exited).toBe('SIGINT');
    // The caller is gone; the daemon outlives it.
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(daemon)).toBe(true);
    process.kill(daemon, 'SIGKILL');
  });
});
