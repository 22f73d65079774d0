import { describe, expect, it } from 'vitest';
import type { SmokeCheck } from '../../../src/model/project.js';
import type { Clock } from '../../../src/core/ports.js';
import {
  runChecks,
  type CheckEvent,
  type SmokeDeps,
  type SmokeHttpRequest,
  type SmokeHttpResponse,
} from '../../../src/core/smoke/index.js';

/** Sleeps take no real time but advance `now`, and honour aborts. */
function instantClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(new Error('aborted'));
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

function deps(
  answers: (req: SmokeHttpRequest) => SmokeHttpResponse | Promise<SmokeHttpResponse>,
  over: Partial<SmokeDeps> = {},
): SmokeDeps & { requests: SmokeHttpRequest[]; clock: ReturnType<typeof instantClock> } {
  const requests: SmokeHttpRequest[] = [];
  return {
    http: {
      request: async (r) => {
        requests.push(r);
        return answers(r);
      },
    },
    run: {
      host: (cmd) => Promise.resolve({ exitCode: cmd[0] === 'true' ? 0 : 1, output: `ran ${cmd.join(' ')}` }),
      service: (svc, cmd) => Promise.resolve({ exitCode: 0, output: `${svc}: ${cmd.join(' ')}` }),
    },
    clock: instantClock(),
    gatewayUrl: 'http://127.0.0.1:9999',
    requests,
    ...over,
  } as SmokeDeps & { requests: SmokeHttpRequest[]; clock: ReturnType<typeof instantClock> };
}

const get = (
  name: string,
  path: string,
  over: Partial<Extract<SmokeCheck, { kind: 'http' }>> = {},
): SmokeCheck => ({
  kind: 'http',
  name,
  method: 'GET',
  path,
  headers: {},
  retries: 0,
  timeoutMs: 5000,
  ...over,
});
const run = (name: string, command: string[], service?: string, retries = 0): SmokeCheck => ({
  kind: 'run',
  name,
  command,
  ...(service ? { service } : {}),
  retries,
  timeoutMs: 5000,
});

describe('runChecks', () => {
  it('runs checks in order, through the gateway, with headers and body', async () => {
    const d = deps(() => ({ status: 200, body: 'ok' }));
    const checks: SmokeCheck[] = [
      get('health', '/api/health'),
      get('create', 'items', { method: 'POST', headers: { 'x-a': '1' }, body: '{"a":1}' }),
      run('host', ['true']),
      run('inside', ['pg_isready'], 'db'),
    ];
    const results = await runChecks(checks, d, new AbortController().signal);
    expect(results.map((r) => [r.name, r.status, r.target])).toEqual([
      ['health', 'passed', 'GET /api/health'],
      ['create', 'passed', 'POST items'],
      ['host', 'passed', 'run: true'],
      ['inside', 'passed', 'exec db: pg_isready'],
    ]);
    expect(d.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', 'http://127.0.0.1:9999/api/health', undefined],
      ['POST', 'http://127.0.0.1:9999/items', '{"a":1}'],
    ]);
    expect(d.requests[1]?.headers).toEqual({ 'x-a': '1' });
  });

  it('retries a failing check with a fixed delay, then passes', async () => {
    let n = 0;
    const d = deps(() => ({ status: ++n < 3 ? 503 : 200, body: '' }), { retryDelayMs: 250 });
    const events: CheckEvent[] = [];
    const [r] = await runChecks([get('warm', '/', { retries: 5 })], d, new AbortController().signal, (e) =>
      events.push(e),
    );
    expect(r).toMatchObject({ status: 'passed', attempts: 3, durationMs: 500 });
    expect(d.clock.slept).toEqual([250, 250]);
    expect(events.filter((e) => e.type === 'check-retry')).toHaveLength(2);
  });

  it('fails after retries+1 attempts with the last reason', async () => {
    const d = deps(() => ({ status: 500, body: 'boom' }));
    const [r] = await runChecks([get('bad', '/', { retries: 2 })], d, new AbortController().signal);
    expect(r?.status).toBe('failed');
    expect(r?.attempts).toBe(3);
    expect(r?.reason).toBe('status 500, expected 2xx; body: boom (after 3 attempts)');
    expect(d.clock.slept).toEqual([1000, 1000]);
  });

  it('a run check fails on a non-zero exit, with its output', async () => {
    const [r] = await runChecks(
      [run('nope', ['false'])],
      deps(() => ({ status: 200, body: '' })),
      new AbortController().signal,
    );
    expect(r).toMatchObject({ status: 'failed', reason: 'exit code 1; output: ran false' });
  });

  it('turns a thrown transport error into a reason', async () => {
    const d = deps(() => Promise.reject(new Error('GET http://x/: ECONNREFUSED')));
    const [r] = await runChecks([get('down', '/')], d, new AbortController().signal);
    expect(r).toMatchObject({ status: 'failed', reason: 'GET http://x/: ECONNREFUSED' });
  });

  it('without a gateway, http checks fail clearly and run checks still run', async () => {
    const d = deps(() => ({ status: 200, body: '' }), { gatewayUrl: undefined });
    const results = await runChecks([get('h', '/'), run('r', ['true'])], d, new AbortController().signal);
    expect(results[0]?.status).toBe('failed');
    expect(results[0]?.reason).toMatch(/through the gateway, and this project has none/);
    expect(results[1]?.status).toBe('passed');
    expect(d.requests).toHaveLength(0);
  });

  it('on abort, the running check fails with the reason and the rest are skipped', async () => {
    const ac = new AbortController();
    const d = deps(() => {
      ac.abort(new Error('smoke timed out after 5s (--timeout)'));
      return { status: 503, body: '' };
    });
    const results = await runChecks([get('a', '/', { retries: 3 }), get('b', '/')], d, ac.signal);
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(results[0]?.reason).toMatch(/^smoke timed out after 5s \(--timeout\) \(last attempt: status 503/);
    expect(results[1]).toMatchObject({
      status: 'skipped',
      reason: 'not run: smoke timed out after 5s (--timeout)',
    });
  });

  it('names a Ctrl-C "interrupted"', async () => {
    const ac = new AbortController();
    const e = new Error('interrupted');
    e.name = 'AbortError';
    ac.abort(e);
    const [r] = await runChecks(
      [get('a', '/')],
      deps(() => ({ status: 200, body: '' })),
      ac.signal,
    );
    expect(r).toMatchObject({ status: 'skipped', reason: 'not run: interrupted' });
  });
});
