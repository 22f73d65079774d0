import { describe, expect, it } from 'vitest';
import { probeRun, timing } from './probe-helpers.js';

const url = 'http://127.0.0.1:43000/health';
const http = { ...timing, kind: 'http' as const, path: '/health', port: 3000 };

describe('runProbe: http', () => {
  it('turns healthy on the first success, checking at once and then every interval', async () => {
    const r = probeRun();
    r.net.http(url, { error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }, { status: 200 });
    r.start(http);
    await r.clock.advance(2500);
    expect(r.net.calls.map((c) => c.at)).toEqual([0, 1000, 2000]);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 2000]]);
    expect(r.changes[0]?.last).toEqual({ ok: true, detail: `GET ${url} → 200`, at: 2000 });
    await r.stop();
  });

  it('turns unhealthy only after `retries` consecutive failures', async () => {
    const r = probeRun();
    r.net.http(url, { status: 500 });
    r.start(http);
    await r.clock.advance(2999);
    // The check at 0 is the early one (does not count); 1000 and 2000 failed: still starting.
    expect(r.changes).toEqual([]);
    await r.clock.advance(1);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['unhealthy', 3000]]);
    await r.stop();
  });

  it('the early check at start can only make it healthy sooner: its failure does not count', async () => {
    const r = probeRun();
    r.net.http(url, { error: 'socket hang up' }, { status: 200 });
    r.start({ ...http, retries: 1 });
    await r.clock.advance(999);
    expect(r.changes).toEqual([]);
    await r.clock.advance(1);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 1000]]);
    expect(r.history.recent().map((x) => x.ok)).toEqual([false, true]);
    await r.stop();
  });

  it('ignores failures during the start period, as Docker does', async () => {
    const r = probeRun();
    r.net.http(url, { status: 503 });
    r.start({ ...http, retries: 2, startPeriodMs: 2500 });
    await r.clock.advance(10_000);
    // Checks at 0, 1000, 2000 fall in the start period; 3000 and 4000 are the two counted failures.
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['unhealthy', 4000]]);
    await r.stop();
  });

  it('a success inside the start period still makes it healthy at once', async () => {
    const r = probeRun();
    r.net.http(url, { status: 503 }, { status: 200 });
    r.start({ ...http, startPeriodMs: 60_000 });
    await r.clock.advance(1000);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 1000]]);
    await r.stop();
  });

  it('once healthy, isolated failures do not count; a streak does; the next success heals', async () => {
    const r = probeRun();
    r.net.http(
      url,
      { status: 200 },
      { status: 500 },
      { status: 200 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 204 },
    );
    r.start(http);
    await r.clock.advance(7000);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([
      ['healthy', 0],
      ['unhealthy', 5000],
      ['healthy', 6000],
    ]);
    await r.stop();
  });

  it('passes 2xx/3xx by default, and exactly `status` when one is set', async () => {
    const r = probeRun();
    r.net.http(url, { status: 302 });
    r.start(http);
    await r.clock.advance(0);
    expect(r.changes.map((c) => c.status)).toEqual(['healthy']);
    await r.stop();

    const s = probeRun();
    s.net.http(url, { status: 200 }, { status: 200 }, { status: 200 }, { status: 200 }, { status: 418 });
    s.start({ ...http, status: 418 });
    await s.clock.advance(4000);
    expect(s.changes.map((c) => [c.status, c.at])).toEqual([
      ['unhealthy', 3000],
      ['healthy', 4000],
    ]);
    await s.stop();
  });

  it('a 404 is a failure', async () => {
    const r = probeRun();
    r.net.http(url, { status: 404 });
    r.start({ ...http, retries: 1 });
    await r.clock.advance(1000);
    expect(r.changes.map((c) => c.status)).toEqual(['unhealthy']);
    await r.stop();
  });

  it('enforces the timeout on the clock even when the call never answers', async () => {
    const r = probeRun();
    r.net.http(url, { hang: true }, { status: 200 });
    r.start(http);
    await r.clock.advance(1500);
    expect(r.history.recent()[0]).toEqual({ ok: false, detail: 'timed out after 500ms', at: 0 });
    // interval counts from the end of a check: 500 (timeout) + 1000.
    expect(r.net.calls.map((c) => c.at)).toEqual([0, 1500]);
    expect(r.net.calls[0]?.timeoutMs).toBe(500);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 1500]]);
    await r.stop();
  });

  it('an unpublished port is a failed check that says so', async () => {
    const r = probeRun();
    r.start({ ...http, port: 9, retries: 1 });
    await r.clock.advance(1000);
    expect(r.changes[0]?.last.detail).toBe('container port 9 is not published on the host');
    expect(r.net.calls).toEqual([]);
    await r.stop();
  });
});

describe('runProbe: tcp', () => {
  it('is healthy once a connection succeeds', async () => {
    const r = probeRun();
    r.net.tcp('127.0.0.1', 45432, { error: 'connect ECONNREFUSED' }, { status: 0 });
    r.start({ ...timing, kind: 'tcp', port: 5432 });
    await r.clock.advance(1000);
    expect(r.net.calls.map((c) => [c.kind, c.target, c.at])).toEqual([
      ['tcp', '127.0.0.1:45432', 0],
      ['tcp', '127.0.0.1:45432', 1000],
    ]);
    expect(r.history.recent().map((x) => x.ok)).toEqual([false, true]);
    expect(r.history.recent()[0]?.detail).toBe('connect ECONNREFUSED');
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 1000]]);
    await r.stop();
  });
});

describe('runProbe: exec', () => {
  it('passes on exit 0 only, running the command in the container with the timeout', async () => {
    const r = probeRun();
    r.docker.scriptExec('c1', { exitCode: 1, output: 'not ready\n' }, { exitCode: 2 }, { exitCode: 0 });
    r.start({ ...timing, kind: 'exec', command: ['pg_isready', '-q'] });
    await r.clock.advance(2000);
    expect(r.docker.execCalls.map((c) => [c.id, c.cmd, c.timeoutMs, c.at])).toEqual([
      ['c1', ['pg_isready', '-q'], 500, 0],
      ['c1', ['pg_isready', '-q'], 500, 1000],
      ['c1', ['pg_isready', '-q'], 500, 2000],
    ]);
    expect(r.history.recent().map((x) => x.detail)).toEqual([
      'exit code 1: not ready',
      'exit code 2',
      'exit code 0',
    ]);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 2000]]);
    await r.stop();
  });

  it('goes unhealthy on consecutive non-zero exits', async () => {
    const r = probeRun();
    r.docker.scriptExec('c1', { exitCode: 0 }, { exitCode: 1 });
    r.start({ ...timing, kind: 'exec', command: ['true'], retries: 2 });
    await r.clock.advance(2000);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([
      ['healthy', 0],
      ['unhealthy', 2000],
    ]);
    await r.stop();
  });
});

describe('runProbe: log', () => {
  const log = { ...timing, kind: 'log' as const, pattern: 'listening on port \\d+' };

  it('is healthy once a line matches, and never goes unhealthy', async () => {
    const r = probeRun();
    r.docker.emitLog('c1', 'booting');
    r.start(log);
    await r.clock.advance(5000);
    expect(r.changes).toEqual([]);
    r.docker.emitLog('c1', 'listening on port 8080');
    await r.clock.advance(1);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 5000]]);
    r.docker.emitLog('c1', 'FATAL: out of memory');
    r.docker.endLogs('c1');
    await r.clock.advance(60_000);
    expect(r.changes).toHaveLength(1);
    await r.stop();
  });

  it('counts lines written before the probe began', async () => {
    const r = probeRun();
    r.docker.emitLog('c1', 'listening on port 3000');
    r.start(log);
    await r.clock.advance(0);
    expect(r.changes.map((c) => c.status)).toEqual(['healthy']);
    await r.stop();
  });

  it('follows again after the stream ends (a restart), recording why it is still waiting', async () => {
    const r = probeRun();
    r.docker.emitLog('c1', 'crash');
    r.docker.endLogs('c1');
    r.start(log);
    await r.clock.advance(500);
    expect(r.history.last()?.detail).toBe('log stream ended without a matching line');
    r.docker.emitLog('c1', 'listening on port 1');
    await r.clock.advance(500);
    expect(r.changes.map((c) => [c.status, c.at])).toEqual([['healthy', 1000]]);
    await r.stop();
  });
});

describe('runProbe: lifecycle', () => {
  it('stops on abort: resolves, no more checks, no timers left', async () => {
    const r = probeRun();
    r.net.http(url, { status: 200 });
    r.start(http);
    await r.clock.advance(2000);
    await r.stop();
    const calls = r.net.calls.length;
    await r.clock.advance(10_000);
    expect(r.net.calls.length).toBe(calls);
    expect(r.clock.pendingTimers).toBe(0);
  });

  it('aborting during a hung check ends the probe without recording a result', async () => {
    const r = probeRun();
    r.net.http(url, { hang: true });
    r.start({ ...http, timeoutMs: 10_000 });
    await r.clock.advance(100);
    await r.stop();
    expect(r.history.recent()).toEqual([]);
    expect(r.clock.pendingTimers).toBe(0);
  });

  it('keeps only the last N results in the history, oldest first', async () => {
    const r = probeRun();
    r.net.http(url, { status: 500 });
    r.start(http);
    await r.clock.advance(7000);
    expect(r.history.recent().map((x) => x.at)).toEqual([3000, 4000, 5000, 6000, 7000]);
    expect(r.history.status).toBe('unhealthy');
    await r.stop();
  });
});
