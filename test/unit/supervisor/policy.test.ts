import { describe, expect, it } from 'vitest';
import {
  decide,
  effectivePolicy,
  exhausted,
  startsOnResume,
  type Failure,
} from '../../../src/core/supervisor/index.js';
import type { RestartPolicy } from '../../../src/model/project.js';
import { project as loadYaml } from '../project/helpers.js';
import { service } from './helpers.js';

const exit = (code: number): Failure => ({ kind: 'exit', code });
const unhealthy: Failure = { kind: 'unhealthy' };
const fresh = { restartOnUnhealthy: true, restartTimes: [], now: 0 };

describe('effectivePolicy', () => {
  it('deploy.restart_policy wins over restart, as compose does', () => {
    const p = effectivePolicy(service('a', { restart: { kind: 'always' }, deploy: { condition: 'none' } }));
    expect(p).toMatchObject({ source: 'deploy.restart_policy', on: 'never' });
  });

  it('maps every restart value and deploy condition', () => {
    const r = (restart: RestartPolicy) => effectivePolicy(service('a', { restart }));
    expect(r({ kind: 'no' }).on).toBe('never');
    expect(r({ kind: 'always' })).toMatchObject({ on: 'always', unlessStopped: false });
    expect(r({ kind: 'unless-stopped' })).toMatchObject({ on: 'always', unlessStopped: true });
    expect(r({ kind: 'on-failure', maxRetries: 3 })).toMatchObject({ on: 'failure', maxAttempts: 3 });
    expect(r({ kind: 'on-failure' }).maxAttempts).toBeUndefined();
    // Docker: a retry count of 0 means no limit.
    expect(r({ kind: 'on-failure', maxRetries: 0 }).maxAttempts).toBeUndefined();
    const d = (condition: 'none' | 'on-failure' | 'any') =>
      effectivePolicy(service('a', { deploy: { condition, delayMs: 5, maxAttempts: 2, windowMs: 9 } }));
    expect(d('none').on).toBe('never');
    expect(d('on-failure')).toMatchObject({ on: 'failure', delayMs: 5, maxAttempts: 2, windowMs: 9 });
    expect(d('any').on).toBe('always');
  });

  it('reads the precedence straight from a compose file', async () => {
    const p = await loadYaml(
      [
        'services:',
        '  api:',
        '    image: api',
        '    restart: "no"',
        '    deploy:',
        '      restart_policy: { condition: on-failure, delay: 2s, max_attempts: 4, window: 30s }',
        '    x-orch: { backoff: { initial: 100ms, max: 5s } }',
        '',
      ].join('\n'),
    );
    const api = p.services['api'];
    if (!api) throw new Error('no api');
    expect(effectivePolicy(api)).toEqual({
      source: 'deploy.restart_policy',
      on: 'failure',
      unlessStopped: false,
      delayMs: 2000,
      maxAttempts: 4,
      windowMs: 30_000,
    });
  });
});

describe('decide', () => {
  const pol = (restart: RestartPolicy) => effectivePolicy(service('a', { restart }));

  it('no never restarts; always and unless-stopped restart any exit; on-failure only non-zero', () => {
    expect(decide(pol({ kind: 'no' }), exit(1), fresh)).toEqual({ restart: false, why: 'policy' });
    expect(decide(pol({ kind: 'always' }), exit(0), fresh).restart).toBe(true);
    expect(decide(pol({ kind: 'unless-stopped' }), exit(0), fresh).restart).toBe(true);
    expect(decide(pol({ kind: 'on-failure' }), exit(0), fresh)).toEqual({ restart: false, why: 'policy' });
    expect(decide(pol({ kind: 'on-failure' }), exit(137), fresh).restart).toBe(true);
  });

  it('unhealthy restarts unless restart_on_unhealthy is off or the policy is no', () => {
    expect(decide(pol({ kind: 'on-failure' }), unhealthy, fresh).restart).toBe(true);
    expect(decide(pol({ kind: 'always' }), unhealthy, { ...fresh, restartOnUnhealthy: false })).toEqual({
      restart: false,
      why: 'unhealthy-disabled',
    });
    expect(decide(pol({ kind: 'no' }), unhealthy, fresh)).toEqual({ restart: false, why: 'policy' });
  });

  it('on-failure:N gives up after N restarts', () => {
    const p = pol({ kind: 'on-failure', maxRetries: 2 });
    expect(decide(p, exit(1), { ...fresh, restartTimes: [10] }).restart).toBe(true);
    expect(decide(p, exit(1), { ...fresh, restartTimes: [10, 20] })).toEqual({
      restart: false,
      why: 'exhausted',
    });
  });

  it('deploy max_attempts counts only restarts inside the window', () => {
    const p = effectivePolicy(
      service('a', { deploy: { condition: 'any', maxAttempts: 2, windowMs: 10_000 } }),
    );
    expect(exhausted(p, [1_000, 5_000], 9_000)).toBe(true);
    // The restart at 1s has left the window by 12s.
    expect(exhausted(p, [1_000, 5_000], 12_000)).toBe(false);
    const noWindow = effectivePolicy(service('a', { deploy: { condition: 'any', maxAttempts: 2 } }));
    expect(exhausted(noWindow, [1_000, 5_000], 1_000_000)).toBe(true);
  });

  it('a failed restart is a failure under every restarting policy', () => {
    const failed: Failure = { kind: 'restart-failed', message: 'boom' };
    expect(decide(pol({ kind: 'on-failure' }), failed, fresh).restart).toBe(true);
    expect(decide(pol({ kind: 'no' }), failed, fresh).restart).toBe(false);
  });
});

describe('startsOnResume', () => {
  it('always starts a user-stopped replica again on resume, unless-stopped does not', () => {
    const pol = (restart: RestartPolicy) => effectivePolicy(service('a', { restart }));
    expect(startsOnResume(pol({ kind: 'always' }), true)).toBe(true);
    expect(startsOnResume(pol({ kind: 'unless-stopped' }), true)).toBe(false);
    expect(startsOnResume(pol({ kind: 'unless-stopped' }), false)).toBe(true);
    expect(startsOnResume(pol({ kind: 'on-failure' }), false)).toBe(false);
    expect(startsOnResume(pol({ kind: 'no' }), false)).toBe(false);
  });
});
