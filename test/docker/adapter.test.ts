import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeAdapter } from '../../src/adapters/docker/adapter.js';
import type { ContainerCreateSpec, ContainerId, EngineEvent, LogLine } from '../../src/core/ports.js';
import { OrchError } from '../../src/errors/index.js';
import { cpuPercent } from '../../src/core/stats/sampler.js';

// Everything this file creates carries this label, so afterAll can remove exactly that.
const RUN = `orchtest-${process.pid}-${Date.now().toString(36)}`;
const TEST_LABEL = 'dev.orch.test';
const labels = { [TEST_LABEL]: RUN };
const byLabel = [`${TEST_LABEL}=${RUN}`];
const NET = `${RUN}-net`;
const IMAGE_TAG = `${RUN}-img:latest`;

const docker = new DockerodeAdapter();
const raw = new Docker();
const tempDirs: string[] = [];

function spec(name: string, overrides: Partial<ContainerCreateSpec> = {}): ContainerCreateSpec {
  return {
    name: `${RUN}-${name}`,
    image: 'busybox:latest',
    labels,
    env: [],
    exposedPorts: [],
    portBindings: [],
    mounts: [],
    network: { name: NET, aliases: [name] },
    extraNetworks: [],
    capAdd: [],
    capDrop: [],
    files: [],
    ...overrides,
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitExited(id: ContainerId): Promise<number | null> {
  const snap = await until('exit', async () => {
    const s = await docker.inspectContainer(id);
    return s.state === 'exited' ? s : undefined;
  });
  return snap.exitCode;
}

/** Sockets that keep this process alive (an idle keep-alive socket is unref'd and not counted). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap' || r === 'TCPSocketWrap').length;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

/** The lines of a `logs` stream, checking that it never hands out an empty batch. */
async function collectLines(it: AsyncIterable<readonly LogLine[]>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const batch of it) {
    expect(batch.length).toBeGreaterThan(0);
    out.push(...batch);
  }
  return out;
}

async function cleanup(): Promise<void> {
  const filters = { label: byLabel };
  for (const c of await raw.listContainers({ all: true, filters })) {
    await raw
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  for (const n of await raw.listNetworks({ filters }))
    await raw
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  for (const v of (await raw.listVolumes({ filters })).Volumes ?? []) {
    await raw
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
  for (const i of await raw.listImages({ filters })) {
    await raw
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

beforeAll(async () => {
  // The test command runs make-base-images.sh first; this covers running the file on its own.
  if (!(await docker.imageExists('busybox:latest'))) {
    await execa('bash', [path.resolve('scripts/make-base-images.sh')], { stdio: 'inherit' });
  }
  await docker.createNetwork(NET, labels);
});

afterAll(async () => {
  await cleanup();
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  // Nothing of this run may be left behind.
  expect(await docker.listContainers(byLabel, { all: true })).toEqual([]);
  expect(await docker.listNetworks(byLabel)).toEqual([]);
  expect(await docker.listVolumes(byLabel)).toEqual([]);
  expect(await raw.listImages({ filters: { label: byLabel } })).toEqual([]);
});

describe('DockerodeAdapter on a real engine', () => {
  it('pings the engine', async () => {
    const info = await docker.ping();
    expect(info.version).toMatch(/^\d+\./);
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
  });

  it('reports ENGINE_UNREACHABLE for a socket that does not exist', async () => {
    const nowhere = new DockerodeAdapter({ socketPath: `/tmp/${RUN}-no-such.sock` });
    const err = await nowhere.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).code).toBe('ENGINE_UNREACHABLE');
    expect((err as OrchError).exitCode).toBe(3);
    expect((err as OrchError).message).toContain(`${RUN}-no-such.sock`);
    expect((err as OrchError).message).toMatch(/dockerd/);
  });

  it('creates, lists and removes networks and named volumes by label', async () => {
    const net = `${RUN}-extra`;
    const vol = `${RUN}-vol`;
    await docker.createNetwork(net, { ...labels, role: 'extra' });
    await docker.createVolume(vol, { ...labels, role: 'data' });
    expect(await docker.networkExists(net)).toBe(true);
    expect(await docker.volumeExists(vol)).toBe(true);
    expect((await docker.listNetworks([...byLabel, 'role=extra'])).map((n) => n.name)).toEqual([net]);
    expect(await docker.listVolumes([...byLabel, 'role'])).toEqual([
      { name: vol, labels: { ...labels, role: 'data' } },
    ]);

    await docker.removeNetwork(net);
    await docker.removeVolume(vol);
    // Removing what is already gone is not an error: `down` may run twice.
    await docker.removeNetwork(net);
    await docker.removeVolume(vol);
    expect(await docker.networkExists(net)).toBe(false);
    expect(await docker.volumeExists(vol)).toBe(false);
  });

  it('runs a labelled container with env, a published port and a healthcheck, and streams its events', async () => {
    const ac = new AbortController();
    const events: EngineEvent[] = [];
    const streamDone = (async () => {
      for await (const e of docker.events(byLabel, ac.signal)) events.push(e);
    })();
    // Let the subscription reach the engine before anything happens.
    await new Promise((r) => setTimeout(r, 300));

    const id = await docker.createContainer(
      spec('web', {
        labels: { ...labels, 'dev.orch.service': 'web' },
        env: ['GREETING=hello there'],
        cmd: [
          'sh',
          '-c',
          'mkdir -p /www && echo ok > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www',
        ],
        portBindings: [{ containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }],
        healthcheck: {
          test: ['CMD-SHELL', 'test -f /tmp/ready'],
          intervalMs: 300,
          timeoutMs: 2000,
          retries: 3,
        },
        stopTimeoutS: 1,
      }),
    );
    const created = await docker.inspectContainer(id);
    expect(created.state).toBe('created');
    expect(created.startedAt).toBeNull();
    expect(created.exitCode).toBeNull();

    await docker.startContainer(id);
    const snap = await docker.inspectContainer(id);
    expect(snap.state).toBe('running');
    expect(snap.name).toBe(`${RUN}-web`);
    expect(snap.image).toBe('busybox:latest');
    expect(snap.labels['dev.orch.service']).toBe('web');
    expect(snap.labels[TEST_LABEL]).toBe(RUN);
    expect(snap.startedAt).not.toBeNull();
    expect(snap.finishedAt).toBeNull();
    const port = snap.ports.find((p) => p.containerPort === 8080);
    expect(port?.hostIp).toBe('127.0.0.1');
    expect(port?.hostPort).toBeGreaterThan(0);

    const healthy = await until('healthy', async () => {
      const s = await docker.inspectContainer(id);
      return s.health === 'healthy' ? s : undefined;
    });
    expect(healthy.health).toBe('healthy');
    const res = await fetch(`http://127.0.0.1:${port?.hostPort}/`);
    expect((await res.text()).trim()).toBe('ok');

    const env = await docker.exec(id, ['sh', '-c', 'echo "$GREETING"']);
    expect(env).toEqual({ exitCode: 0, output: 'hello there\n' });

    const listed = await docker.listContainers(byLabel);
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]?.health).toBe('healthy');

    await docker.killContainer(id);
    await until('die event', async () =>
      events.some((e) => e.type === 'die' && e.id === id) ? true : undefined,
    );
    ac.abort();
    // The stream ends on abort rather than hanging or throwing.
    await streamDone;

    const mine = events.filter((e) => e.id === id);
    expect(mine.map((e) => e.type)).toEqual(
      expect.arrayContaining(['create', 'start', 'health', 'kill', 'die']),
    );
    expect(mine.find((e) => e.type === 'health')).toMatchObject({ type: 'health', health: 'healthy' });
    expect(mine.find((e) => e.type === 'die')).toMatchObject({ exitCode: 137 });
    expect(mine.every((e) => e.labels[TEST_LABEL] === RUN && e.time > 0)).toBe(true);

    const dead = await docker.inspectContainer(id);
    expect(dead.state).toBe('exited');
    expect(dead.exitCode).toBe(137);
    expect(dead.finishedAt).not.toBeNull();
    // Killing or stopping what already stopped is not an error.
    await docker.killContainer(id);
    await docker.stopContainer(id, 1);
    await docker.removeContainer(id, { force: true });
    await docker.removeContainer(id, { force: true });
    expect(await docker.listContainers(byLabel, { all: true })).toEqual([]);
  });

  it('exec returns the exit code and both output streams, and honours a timeout', async () => {
    const id = await docker.createContainer(spec('exec', { cmd: ['sleep', '300'] }));
    await docker.startContainer(id);
    const res = await docker.exec(id, ['sh', '-c', 'echo out; sleep 0.1; echo err >&2; exit 3']);
    expect(res).toEqual({ exitCode: 3, output: 'out\nerr\n' });

    const started = Date.now();
    const err = await docker.exec(id, ['sleep', '120'], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    // Given up at the timeout, not at the command's end: far apart, so a loaded machine cannot blur them.
    expect(Date.now() - started).toBeLessThan(60_000);
    await docker.removeContainer(id, { force: true });
  });

  it('returns logs demultiplexed, in order, with timestamps when asked', async () => {
    const script =
      'echo out-1; sleep 0.2; echo err-1 >&2; sleep 0.2; echo "out-2 ✓"; sleep 0.2; printf err-partial >&2';
    const id = await docker.createContainer(spec('logs', { cmd: ['sh', '-c', script] }));
    await docker.startContainer(id);
    expect(await waitExited(id)).toBe(0);

    const plain = await collectLines(docker.logs(id, { follow: false, timestamps: false }));
    expect(plain).toEqual<LogLine[]>([
      { stream: 'stdout', ts: '', line: 'out-1' },
      { stream: 'stderr', ts: '', line: 'err-1' },
      { stream: 'stdout', ts: '', line: 'out-2 ✓' },
      { stream: 'stderr', ts: '', line: 'err-partial' },
    ]);

    // Following an exited container ends when its output ends.
    const followed = await collectLines(docker.logs(id, { follow: true, timestamps: true }));
    expect(followed.map((l) => [l.stream, l.line])).toEqual(plain.map((l) => [l.stream, l.line]));
    for (const l of followed) {
      expect(l.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/);
    }

    const tail = await collectLines(docker.logs(id, { follow: false, timestamps: false, tail: 1 }));
    expect(tail.map((l) => l.line)).toEqual(['err-partial']);
    await docker.removeContainer(id, { force: true });
  });

  it('stops following logs when the signal aborts', async () => {
    const id = await docker.createContainer(
      spec('follow', { cmd: ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'] }),
    );
    await docker.startContainer(id);
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const batch of docker.logs(id, { follow: true, timestamps: false, signal: ac.signal })) {
      seen.push(...batch.map((l) => l.line));
      if (seen.length >= 3) ac.abort();
    }
    expect(seen.slice(0, 3)).toEqual(['tick', 'tick', 'tick']);
    await docker.removeContainer(id, { force: true });
  });

  it('reads a large log alike through its own socket client and through dockerode', async () => {
    // 20,000 numbered lines on stdout, a few on stderr, one line longer than the engine's 16 KiB
    // message size (stored as several partial messages), UTF-8, and no newline at the very end.
    const script =
      'seq 1 20000; echo "err ✓" >&2; head -c 40000 /dev/zero | tr "\\0" x; echo; seq 1 3 >&2; printf last';
    const id = await docker.createContainer(spec('biglog', { cmd: ['sh', '-c', script] }));
    await docker.startContainer(id);
    expect(await waitExited(id)).toBe(0);
    // Any option besides the address sends every call through dockerode.
    const viaDockerode = new DockerodeAdapter({ timeout: 120_000 });
    for (const timestamps of [false, true]) {
      const mine = await collectLines(docker.logs(id, { follow: false, timestamps }));
      const theirs = await collectLines(viaDockerode.logs(id, { follow: false, timestamps }));
      expect(mine).toEqual(theirs);
      // The engine copies stdout and stderr separately: their relative order is its own.
      const out = mine.filter((l) => l.stream === 'stdout').map((l) => l.line);
      const numbers = Array.from({ length: 20000 }, (_, i) => String(i + 1));
      const long = timestamps ? out[20000] : 'x'.repeat(40000);
      expect(out).toEqual([...numbers, long, 'last']);
      expect(mine.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['err ✓', '1', '2', '3']);
      if (timestamps) {
        const ts = mine.map((l) => l.ts);
        expect(ts.every((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(t))).toBe(true);
        // Each partial message carries its own timestamp: the long line is the engine's pieces.
        expect(long?.startsWith('x'.repeat(16384))).toBe(true);
      }
    }
    const tail = await collectLines(docker.logs(id, { follow: false, timestamps: false, tail: 2 }));
    expect(tail).toEqual(
      await collectLines(viaDockerode.logs(id, { follow: false, timestamps: false, tail: 2 })),
    );
    expect(tail.map((l) => l.line)).toContain('last');
    await docker.removeContainer(id, { force: true });
  });

  it("reports the engine's message for the logs of a container that does not exist", async () => {
    const err = await collectLines(docker.logs(`${RUN}-nope`, { follow: false, timestamps: true })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as { statusCode?: number }).statusCode).toBe(404);
    expect((err as Error).message).toMatch(/no such container/i);
  });

  it('puts secret and config files into the container before it starts', async () => {
    const id = await docker.createContainer(
      spec('files', {
        cmd: ['sleep', '300'],
        user: 'nobody',
        files: [
          { path: '/run/secrets/db_password', content: Buffer.from('s3cret\n'), mode: 0o444 },
          { path: '/etc/app/nested/config.json', content: Buffer.from('{"a":1}'), mode: 0o644 },
          { path: '/tmp/in-tmp.txt', content: Buffer.from('x'), mode: 0o600 },
        ],
      }),
    );
    await docker.startContainer(id);
    expect(await docker.exec(id, ['cat', '/run/secrets/db_password'])).toEqual({
      exitCode: 0,
      output: 's3cret\n',
    });
    expect(await docker.exec(id, ['cat', '/etc/app/nested/config.json'])).toEqual({
      exitCode: 0,
      output: '{"a":1}',
    });
    const modes = await docker.exec(id, [
      'stat',
      '-c',
      '%n %a',
      '/run/secrets/db_password',
      '/etc/app/nested',
      '/tmp',
    ]);
    // Existing directories keep their mode: /tmp stays world-writable.
    expect(modes.output.trim().split('\n')).toEqual([
      '/run/secrets/db_password 444',
      '/etc/app/nested 755',
      '/tmp 1777',
    ]);
    await docker.removeContainer(id, { force: true });
  });

  it('leaves no engine connection open after copying files in, whether their directories exist or not', async () => {
    const id = await docker.createContainer(spec('copy-handles', { cmd: ['sleep', '300'] }));
    await docker.startContainer(id);
    // Settle first: the calls above may still be releasing their sockets.
    await settle();
    const before = openSockets();
    // The first copy creates /srv/app; the second finds it (the engine answers the HEAD with 200).
    await docker.copyToContainer(id, [{ path: '/srv/app/a.txt', content: Buffer.from('a'), mode: 0o644 }]);
    await docker.copyToContainer(id, [{ path: '/srv/app/b.txt', content: Buffer.from('b'), mode: 0o644 }]);
    await settle();
    expect(openSockets()).toBe(before);
    expect((await docker.exec(id, ['cat', '/srv/app/a.txt', '/srv/app/b.txt'])).output).toBe('ab');
    await docker.removeContainer(id, { force: true });
  });

  it('applies deploy.resources limits to the container', async () => {
    const id = await docker.createContainer(
      spec('resources', {
        cmd: ['sleep', '300'],
        resources: {
          nanoCpus: 500_000_000,
          memoryBytes: 64 * 1024 ** 2,
          memoryReservationBytes: 32 * 1024 ** 2,
          pidsLimit: 50,
        },
      }),
    );
    const host = (await raw.getContainer(id).inspect()).HostConfig as Record<string, unknown>;
    expect(host).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 64 * 1024 ** 2,
      MemoryReservation: 32 * 1024 ** 2,
      PidsLimit: 50,
    });
    await docker.removeContainer(id, { force: true });
  });

  it("reads a running container's stats at once, alike through its own client and dockerode", async () => {
    // A busy shell loop (CPU), under a 64 MiB limit (the memory limit the reading reports).
    const id = await docker.createContainer(
      spec('stats', { cmd: ['sh', '-c', 'while :; do :; done'], resources: { memoryBytes: 64 * 1024 ** 2 } }),
    );
    await docker.startContainer(id);
    const viaDockerode = new DockerodeAdapter({ timeout: 30_000 });
    // One reading at once (one-shot): asserted on the wire in test/integration/engine-http.test.ts;
    // how long it takes is the engine's and the machine's, not a behaviour to assert here.
    const first = await docker.stats(id);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await viaDockerode.stats(id);
    for (const s of [first, second]) {
      expect(s.memoryLimitBytes).toBe(64 * 1024 ** 2);
      expect(s.memoryBytes).toBeGreaterThan(0);
      expect(s.memoryBytes).toBeLessThan(64 * 1024 ** 2);
      expect(s.onlineCpus).toBeGreaterThanOrEqual(1);
      expect(s.pids).toBeGreaterThanOrEqual(1);
      expect(s.rxBytes).toBeGreaterThanOrEqual(0);
    }
    expect(second.cpuTotalNs).toBeGreaterThan(first.cpuTotalNs);
    // a busy loop on a shared 2-core machine: well above idle, whatever else runs
    expect(cpuPercent(first, second, 1000)).toBeGreaterThan(10);
    await docker.removeContainer(id, { force: true });
  });

  it('builds a multi-stage Dockerfile with args, a target and .dockerignore', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `${RUN}-ctx-`));
    tempDirs.push(dir);
    await writeFile(
      path.join(dir, 'Dockerfile'),
      [
        'FROM busybox:latest AS base',
        'ARG GREETING=default',
        'RUN echo "$GREETING" > /greeting',
        'COPY . /ctx/',
        'FROM base AS chosen',
        'RUN echo chosen > /stage',
        'HEALTHCHECK --interval=30s CMD test -f /stage',
        'FROM base AS later',
        'RUN echo later > /stage && exit 1',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'hello.txt'), 'hello\n');
    await writeFile(path.join(dir, 'secret.env'), 'nope\n');
    await writeFile(path.join(dir, '.dockerignore'), '# not sent\n*.env\n');

    const lines: string[] = [];
    await docker.buildImage(
      {
        context: dir,
        dockerfile: 'Dockerfile',
        tag: IMAGE_TAG,
        args: { GREETING: 'hi from args' },
        target: 'chosen',
        labels,
      },
      (l) => lines.push(l),
    );
    expect(lines.some((l) => /Step \d+\/\d+ : FROM busybox/.test(l))).toBe(true);
    expect(await docker.imageExists(IMAGE_TAG)).toBe(true);
    // The image's own HEALTHCHECK, for a service_healthy dependency the file gives no healthcheck.
    expect(await docker.imageHealthcheck(IMAGE_TAG)).toEqual(['CMD-SHELL', 'test -f /stage']);
    expect(await docker.imageHealthcheck('busybox:latest')).toBeUndefined();
    expect(await docker.imageHealthcheck(`${RUN}-absent:latest`)).toBeUndefined();

    const id = await docker.createContainer(
      spec('built', { image: IMAGE_TAG, cmd: ['sh', '-c', 'cat /greeting /stage; ls /ctx'] }),
    );
    await docker.startContainer(id);
    expect(await waitExited(id)).toBe(0);
    const out = (await collectLines(docker.logs(id, { follow: false, timestamps: false }))).map(
      (l) => l.line,
    );
    expect(out).toEqual(['hi from args', 'chosen', 'Dockerfile', 'hello.txt']);
    await docker.removeContainer(id, { force: true });
  });

  it('throws BUILD_FAILED with the tail of the output for a broken build', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `${RUN}-bad-`));
    tempDirs.push(dir);
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM busybox:latest\nRUN echo about to fail && exit 7\n');
    const err = await docker
      .buildImage({ context: dir, dockerfile: 'Dockerfile', tag: `${RUN}-bad:latest`, args: {}, labels })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).code).toBe('BUILD_FAILED');
    expect((err as OrchError).message).toContain('about to fail');
    expect((err as OrchError).message).toMatch(/non-zero code: 7/);

    await writeFile(path.join(dir, 'Dockerfile'), 'FROMM busybox:latest\n');
    const parseErr = await docker
      .buildImage({ context: dir, dockerfile: 'Dockerfile', tag: `${RUN}-bad:latest`, args: {}, labels })
      .catch((e: unknown) => e);
    expect((parseErr as OrchError).code).toBe('BUILD_FAILED');
    expect((parseErr as OrchError).message).toMatch(/fromm/i);
  });

  it('throws IMAGE_UNAVAILABLE naming an image that cannot be pulled', async () => {
    const err = await docker.pullImage('nonexistent.invalid/nope:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).code).toBe('IMAGE_UNAVAILABLE');
    expect((err as OrchError).message).toContain('nonexistent.invalid/nope:1');
  });

  it('throws IMAGE_UNAVAILABLE when creating from a missing image', async () => {
    const err = await docker
      .createContainer(spec('noimg', { image: `${RUN}-missing:1` }))
      .catch((e: unknown) => e);
    expect((err as OrchError).code).toBe('IMAGE_UNAVAILABLE');
    expect((err as OrchError).message).toContain(`${RUN}-missing:1`);
  });
});
