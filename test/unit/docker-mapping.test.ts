import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseDockerignore } from '../../src/core/ignore-patterns.js';
import { toCreateOptions, toEngineHealthcheck } from '../../src/adapters/docker/create-spec.js';
import { mapEngineEvent } from '../../src/adapters/docker/events.js';
import { engineTime, mapInspect, type InspectLike } from '../../src/adapters/docker/map-inspect.js';
import { tarBuffer } from '../../src/adapters/docker/tar.js';
import { systemClock } from '../../src/adapters/clock.js';
import { nodeNetProbe } from '../../src/adapters/net-probe.js';

describe('.dockerignore', () => {
  const rules = parseDockerignore(
    [
      '# comment',
      'node_modules',
      '*.log',
      '!keep.log',
      '/dist/',
      'docs/**/*.md',
      '**/tmp',
      'se?ret[0-9]',
    ].join('\n'),
  );
  it.each([
    ['node_modules', true],
    ['node_modules/a/b.js', true],
    ['app.log', true],
    ['sub/app.log', false], // `*` stays within one segment, as in Docker
    ['keep.log', false],
    ['dist/index.js', true],
    ['docs/a/b/c.md', true],
    ['docs/readme.md', true],
    ['docs/readme.txt', false],
    ['a/b/tmp/x', true],
    ['secret1', true],
    ['secretX', false],
    ['src/index.ts', false],
  ])('%s → ignored=%s', (rel, ignored) => {
    expect(rules.matches(rel)).toBe(ignored);
  });
});

describe('tar', () => {
  it('writes a valid ustar header with checksum', async () => {
    const buf = await tarBuffer([
      { entry: { name: 'a/b.txt', type: 'file', mode: 0o644, size: 5 }, body: Buffer.from('hello') },
    ]);
    const h = buf.subarray(0, 512);
    expect(h.subarray(0, 7).toString()).toBe('a/b.txt');
    expect(h.subarray(257, 262).toString()).toBe('ustar');
    const stored = parseInt(h.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(h);
    copy.fill(0x20, 148, 156);
    expect(stored).toBe(copy.reduce((a, b) => a + b, 0));
  });

  it('uses the prefix field, then a pax header, for long names', async () => {
    const mid = `${'d'.repeat(60)}/${'e'.repeat(60)}/f.txt`;
    const h = await tarBuffer([{ entry: { name: mid, type: 'file', mode: 0o644, size: 0 } }]);
    expect(h.length).toBe(512 * 3);
    expect(h.subarray(345, 345 + 60).toString()).toBe('d'.repeat(60));
    const long = `${'x'.repeat(200)}.txt`;
    const withPax = await tarBuffer([{ entry: { name: long, type: 'file', mode: 0o644, size: 0 } }]);
    expect(withPax.length).toBe(512 * 5);
    expect(String.fromCharCode(withPax[156] ?? 0)).toBe('x');
    expect(withPax.subarray(512, 1024).toString()).toContain(`path=${long}\n`);
  });

  it('pads bodies to blocks and ends with two zero blocks', async () => {
    const buf = await tarBuffer([
      { entry: { name: 'dir', type: 'dir', mode: 0o755 } },
      { entry: { name: 'dir/f', type: 'file', mode: 0o600, size: 3 }, body: Buffer.from('abc') },
    ]);
    expect(buf.length).toBe(512 * 5);
    expect(buf.subarray(0, 4).toString()).toBe('dir/');
    expect(buf.subarray(1024, 1027).toString()).toBe('abc');
    expect(buf.subarray(512 * 3).every((b) => b === 0)).toBe(true);
  });
});

describe('mapInspect', () => {
  const base: InspectLike = {
    Id: 'abc',
    Name: '/proj-web-1',
    Created: '2024-05-01T10:00:00.123456789Z',
    State: {
      Status: 'created',
      ExitCode: 0,
      StartedAt: '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Config: { Image: 'busybox:latest', Labels: null },
    NetworkSettings: { Ports: null },
  };

  it('maps a never-started container: no times, no exit code, no health, no ports', () => {
    expect(mapInspect(base)).toEqual({
      id: 'abc',
      name: 'proj-web-1',
      image: 'busybox:latest',
      labels: {},
      state: 'created',
      exitCode: null,
      health: 'none',
      createdAt: '2024-05-01T10:00:00.123Z',
      startedAt: null,
      finishedAt: null,
      ports: [],
    });
  });

  it('maps a running, healthy container with published ports', () => {
    const snap = mapInspect({
      ...base,
      State: {
        ...base.State,
        Status: 'running',
        StartedAt: '2024-05-01T10:00:01Z',
        Health: { Status: 'healthy' },
      },
      Config: { Image: 'x', Labels: { a: 'b' } },
      NetworkSettings: {
        Ports: {
          '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }],
          '53/udp': [{ HostIp: '', HostPort: '5353' }],
          '9000/tcp': null,
        },
      },
    });
    expect(snap.state).toBe('running');
    expect(snap.health).toBe('healthy');
    expect(snap.exitCode).toBeNull();
    expect(snap.startedAt).toBe('2024-05-01T10:00:01.000Z');
    expect(snap.labels).toEqual({ a: 'b' });
    expect(snap.ports).toEqual([
      { containerPort: 53, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 5353 },
      { containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 },
    ]);
  });

  it('reports the exit code of an exited container', () => {
    const snap = mapInspect({
      ...base,
      State: { ...base.State, Status: 'exited', ExitCode: 137, FinishedAt: '2024-05-01T10:00:02Z' },
    });
    expect(snap.exitCode).toBe(137);
    expect(snap.finishedAt).toBe('2024-05-01T10:00:02.000Z');
  });

  it('reads Docker zero time as null', () => {
    expect(engineTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(engineTime('')).toBeNull();
  });
});

describe('healthcheck conversion', () => {
  it('converts milliseconds to nanoseconds', () => {
    const hc = { test: ['CMD', 'true'], intervalMs: 500, timeoutMs: 1000, retries: 3, startPeriodMs: 2000 };
    const engine = toEngineHealthcheck(hc);
    expect(engine).toEqual({
      Test: ['CMD', 'true'],
      Interval: 5e8,
      Timeout: 1e9,
      Retries: 3,
      StartPeriod: 2e9,
    });
    expect(toEngineHealthcheck({ test: ['NONE'] })).toEqual({ Test: ['NONE'] });
  });
});

describe('toCreateOptions', () => {
  it('builds the engine create body', () => {
    const opts = toCreateOptions({
      name: 'p-web-1',
      image: 'img',
      labels: { l: 'v' },
      env: ['A=1'],
      cmd: ['run'],
      user: '1000',
      exposedPorts: ['9000'],
      portBindings: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '' }],
      mounts: [
        { type: 'bind', source: '/src', target: '/app', readOnly: true },
        { type: 'volume', target: '/anon', readOnly: false },
        { type: 'tmpfs', target: '/run/t' },
      ],
      network: { name: 'p_default', aliases: ['web'] },
      extraNetworks: [{ name: 'other', aliases: [] }],
      capAdd: ['NET_ADMIN'],
      capDrop: [],
      init: true,
      stopSignal: 'SIGINT',
      stopTimeoutS: 5,
      files: [],
    });
    expect(opts).toMatchObject({
      name: 'p-web-1',
      Image: 'img',
      Cmd: ['run'],
      User: '1000',
      StopSignal: 'SIGINT',
      StopTimeout: 5,
      ExposedPorts: { '9000/tcp': {}, '80/tcp': {} },
      HostConfig: {
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        Mounts: [
          { Type: 'bind', Source: '/src', Target: '/app', ReadOnly: true },
          { Type: 'volume', Source: '', Target: '/anon', ReadOnly: false },
          { Type: 'tmpfs', Source: '', Target: '/run/t' },
        ],
        RestartPolicy: { Name: 'no' },
        Init: true,
        CapAdd: ['NET_ADMIN'],
      },
      NetworkingConfig: { EndpointsConfig: { p_default: { Aliases: ['web'] } } },
    });
    // No healthcheck given: the image's own is kept, so none is sent.
    expect(opts).not.toHaveProperty('Healthcheck');
    expect(opts).not.toHaveProperty('Entrypoint');
  });
});

describe('mapEngineEvent', () => {
  const actor = {
    ID: 'c1',
    Attributes: { name: 'web', image: 'busybox', 'dev.orch.project': 'p', exitCode: '137' },
  };
  it('maps die with its exit code and the labels only', () => {
    expect(
      mapEngineEvent({
        Type: 'container',
        Action: 'die',
        Actor: actor,
        timeNano: 1_700_000_000_123 * 1e6 + 456_789,
      }),
    ).toEqual({
      type: 'die',
      id: 'c1',
      labels: { 'dev.orch.project': 'p' },
      exitCode: 137,
      time: 1_700_000_000_123,
    });
  });
  it('maps health_status', () => {
    expect(
      mapEngineEvent({
        Type: 'container',
        Action: 'health_status: healthy',
        Actor: actor,
        time: 1_700_000_000,
      }),
    ).toMatchObject({ type: 'health', health: 'healthy', time: 1_700_000_000_000 });
  });
  it('ignores exec and non-container events', () => {
    expect(mapEngineEvent({ Type: 'container', Action: 'exec_start: sh', Actor: actor })).toBeUndefined();
    expect(mapEngineEvent({ Type: 'network', Action: 'connect', Actor: actor })).toBeUndefined();
  });
});

describe('systemClock', () => {
  it('sleeps, and rejects with AbortError on abort', async () => {
    const t0 = systemClock.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(15);
    const ac = new AbortController();
    const p = systemClock.sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(systemClock.sleep(1, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('nodeNetProbe', () => {
  it('GETs a status and connects over TCP; times out and refuses properly', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('body that is drained');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await nodeNetProbe.httpGet(`http://127.0.0.1:${port}/ok`, 1000)).toEqual({ status: 200 });
      expect(await nodeNetProbe.httpGet(`http://127.0.0.1:${port}/missing`, 1000)).toEqual({ status: 404 });
      await expect(nodeNetProbe.httpGet(`http://127.0.0.1:${port}/slow`, 100)).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await nodeNetProbe.tcpConnect('127.0.0.1', port, 1000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    // The port is closed now: connecting is refused.
    await expect(nodeNetProbe.tcpConnect('127.0.0.1', port, 1000)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
