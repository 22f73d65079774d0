import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineHttpError,
  getJson,
  getStream,
  pathWithQuery,
  plainEngineAddress,
} from '../../src/adapters/docker/engine-http.js';
import { engineMessage, isUnreachable, statusCode } from '../../src/adapters/docker/engine-errors.js';
import { readSocket } from '../../src/adapters/docker/socket-reader.js';
import { plainReads } from '../../src/adapters/docker/engine-reads.js';

const dir = mkdtempSync(join(tmpdir(), 'orch-engine-http-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A fake engine on a unix socket: `answer` gets each request's head and the socket. */
async function engine(
  answer: (head: string, sock: Socket) => void,
): Promise<{ path: string; server: Server }> {
  const path = join(dir, `e${n++}.sock`);
  const server = createServer((sock) => {
    let buf = '';
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = buf.slice(0, end);
        buf = '';
        answer(head, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server };
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

describe('plainEngineAddress', () => {
  const home = (withUserSocket: boolean) => {
    const h = mkdtempSync(join(dir, 'home-'));
    if (withUserSocket) {
      mkdirSync(join(h, '.docker', 'run'), { recursive: true });
      writeFileSync(join(h, '.docker', 'run', 'docker.sock'), '');
    }
    return () => h;
  };

  it('finds the socket dockerode would use', () => {
    expect(plainEngineAddress(undefined, {}, home(false))).toEqual({ socketPath: '/var/run/docker.sock' });
    const h = home(true);
    expect(plainEngineAddress(undefined, {}, h)).toEqual({
      socketPath: join(h(), '.docker/run/docker.sock'),
    });
    expect(plainEngineAddress(undefined, { DOCKER_HOST: 'unix:///run/x.sock' })).toEqual({
      socketPath: '/run/x.sock',
    });
    expect(plainEngineAddress({ socketPath: '/s.sock' }, {})).toEqual({ socketPath: '/s.sock' });
  });

  it('speaks plain tcp, and leaves TLS, ssh, pipes and other options to dockerode', () => {
    expect(plainEngineAddress(undefined, { DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toEqual({
      host: '10.0.0.2',
      port: 2375,
    });
    expect(plainEngineAddress({ host: 'h', port: 1234 }, {})).toEqual({ host: 'h', port: 1234 });
    for (const env of [
      { DOCKER_HOST: 'tcp://10.0.0.2:2376' },
      { DOCKER_HOST: 'tcp://10.0.0.2:2375', DOCKER_TLS_VERIFY: '1' },
      { DOCKER_HOST: 'ssh://me@box' },
      { DOCKER_HOST: 'npipe:////./pipe/docker_engine' },
      { DOCKER_HOST: 'tcp://10.0.0.2:2375', DOCKER_PATH_PREFIX: '/engine' },
    ])
      expect(plainEngineAddress(undefined, env)).toBeUndefined();
    expect(plainEngineAddress({ host: 'h', port: 1234, protocol: 'https' }, {})).toBeUndefined();
    expect(plainEngineAddress({ timeout: 1000 } as object, {})).toBeUndefined();
  });
});

describe('pathWithQuery', () => {
  it('encodes objects as JSON and leaves out what is undefined', () => {
    expect(
      pathWithQuery('/containers/json', { all: true, filters: { label: ['a=b'] }, tail: undefined }),
    ).toBe(`/containers/json?all=true&filters=${encodeURIComponent('{"label":["a=b"]}')}`);
    expect(pathWithQuery('/version')).toBe('/version');
  });
});

describe('getJson', () => {
  it('asks with HTTP/1.0 and reads the JSON answer', async () => {
    const heads: string[] = [];
    const { path, server } = await engine((head, sock) => {
      heads.push(head);
      const body = JSON.stringify({ Version: '99.0', ApiVersion: '1.99' });
      sock.end(
        `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    });
    expect(await getJson({ socketPath: path }, '/version')).toEqual({
      Version: '99.0',
      ApiVersion: '1.99',
    });
    expect(heads[0]?.split('\r\n')[0]).toBe('GET /version HTTP/1.0');
    await close(server);
  });

  it('asks for stats as one reading at once (one-shot: the engine takes no second sample)', async () => {
    const heads: string[] = [];
    const { path, server } = await engine((head, sock) => {
      heads.push(head);
      const body = JSON.stringify({ memory_stats: { usage: 1 } });
      sock.end(
        `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    });
    expect(await plainReads({ socketPath: path }).stats('abc')).toEqual({ memory_stats: { usage: 1 } });
    const line = heads[0]?.split('\r\n')[0] ?? '';
    expect(line).toMatch(/^GET \/containers\/abc\/stats\?/);
    expect(new URLSearchParams(line.split(' ')[1]?.split('?')[1]).get('one-shot')).toBe('true');
    expect(new URLSearchParams(line.split(' ')[1]?.split('?')[1]).get('stream')).toBe('false');
    await close(server);
  });

  it("rejects with the engine's status and message", async () => {
    const { path, server } = await engine((_head, sock) =>
      sock.end(
        'HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"No such container: x"}',
      ),
    );
    const err = await getJson({ socketPath: path }, '/containers/x/json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineHttpError);
    expect(statusCode(err)).toBe(404);
    expect(engineMessage(err)).toBe('No such container: x');
    await close(server);
  });

  it('reports a socket that is not there as unreachable', async () => {
    const err = await getJson({ socketPath: join(dir, 'nothing.sock') }, '/version').catch((e: unknown) => e);
    expect(isUnreachable(err)).toBe(true);
  });

  it('rejects when the engine closes without answering', async () => {
    const { path, server } = await engine((_head, sock) => sock.end());
    await expect(getJson({ socketPath: path }, '/version')).rejects.toThrow(/before answering/);
    await close(server);
  });
});

/** Writes `parts` one by one, `gapMs` apart, then ends. */
function trickle(sock: Socket, parts: (string | Buffer)[], gapMs: number): void {
  let i = 0;
  const next = (): void => {
    if (i === parts.length) {
      sock.end();
      return;
    }
    sock.write(parts[i++] as string | Buffer);
    setTimeout(next, gapMs);
  };
  next();
}

describe('getStream', () => {
  it('hands over the body after the head, whole and in order, in fewer pieces than were written', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    let requestLine = '';
    const { path, server } = await engine((head, sock) => {
      requestLine = head.split('\r\n')[0] ?? '';
      // The head arrives cut in two, the body one short write at a time.
      trickle(sock, ['HTTP/1.0 200 OK\r\nApi-Ver', 'sion: 1.41\r\n\r\n', ...lines], 0);
    });
    const pieces: Buffer[] = [];
    for await (const piece of getStream({ socketPath: path }, '/containers/c/logs', {
      follow: false,
      tail: 5,
    }))
      pieces.push(piece);
    expect(requestLine).toBe('GET /containers/c/logs?follow=false&tail=5 HTTP/1.0');
    expect(Buffer.concat(pieces).toString()).toBe(lines.join(''));
    expect(pieces.length).toBeLessThan(lines.length);
    await close(server);
  });

  it("throws the engine's message for an error answer", async () => {
    const { path, server } = await engine((_head, sock) =>
      trickle(sock, ['HTTP/1.0 404 Not Found\r\n\r\n{"message":', '"No such container: c"}'], 5),
    );
    const err = await (async () => {
      for await (const _ of getStream({ socketPath: path }, '/containers/c/logs', {})) void _;
    })().catch((e: unknown) => e);
    expect(statusCode(err)).toBe(404);
    expect(engineMessage(err)).toBe('No such container: c');
    await close(server);
  });

  it('ends quietly when the signal aborts, and closes the connection', async () => {
    let closed: Promise<void> = Promise.resolve();
    const { path, server } = await engine((_head, sock) => {
      closed = new Promise((r) => sock.on('close', () => r()));
      sock.write('HTTP/1.0 200 OK\r\n\r\nfirst\n');
      const t = setInterval(() => sock.write('more\n'), 5);
      sock.on('close', () => clearInterval(t));
    });
    const ac = new AbortController();
    let got = '';
    for await (const piece of getStream(
      { socketPath: path },
      '/containers/c/logs',
      { follow: true },
      ac.signal,
    )) {
      got += piece.toString();
      if (got.includes('more')) ac.abort();
    }
    expect(got.startsWith('first\nmore\n')).toBe(true);
    await closed;
    await close(server);
  });
});

describe('readSocket', () => {
  it('hands over at once when enough is waiting, without waiting out the gather time', async () => {
    const { path, server } = await engine((_head, sock) => {
      sock.write('x'.repeat(5000));
      setTimeout(() => sock.end('y'), 200);
    });
    const started = Date.now();
    const it = readSocket({ path }, 'GET / HTTP/1.0\r\n\r\n', undefined, {
      gatherMs: 10_000,
      handOverBytes: 4096,
      pauseBytes: 1 << 20,
    });
    const first = await it.next();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((first.value as Buffer).length).toBeGreaterThanOrEqual(4096);
    let rest = '';
    for await (const piece of it) rest += piece.toString();
    expect((first.value as Buffer).toString() + rest).toBe(`${'x'.repeat(5000)}y`);
    await close(server);
  });

  it('stops reading for a slow reader and resumes, losing nothing', async () => {
    const total = 3 * 1024 * 1024;
    const { path, server } = await engine((_head, sock) => {
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < total) {
          for (let i = 0; i < chunk.length; i++) chunk[i] = (sent + i) % 251;
          sent += chunk.length;
          if (!sock.write(Buffer.from(chunk))) return void sock.once('drain', more);
        }
        sock.end();
      };
      more();
    });
    let got = 0;
    let ok = true;
    let pieces = 0;
    for await (const piece of readSocket({ path }, 'GET / HTTP/1.0\r\n\r\n', undefined, {
      gatherMs: 1,
      handOverBytes: 64 * 1024,
      pauseBytes: 128 * 1024,
    })) {
      for (let i = 0; i < piece.length; i++) if (piece[i] !== (got + i) % 251) ok = false;
      got += piece.length;
      pieces++;
      if (pieces % 4 === 0) await new Promise((r) => setTimeout(r, 5)); // a slow reader
    }
    expect(got).toBe(total);
    expect(ok).toBe(true);
    await close(server);
  });

  it('throws what the socket fails with', async () => {
    const run = (async () => {
      for await (const _ of readSocket({ path: join(dir, 'none.sock') }, 'GET / HTTP/1.0\r\n\r\n')) void _;
    })();
    await expect(run).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
