import { describe, expect, it } from 'vitest';
import { compileRule, defaultIgnored, matchRule, prunable, route } from '../../../src/core/watch/index.js';
import { rule, service } from './helpers.js';

const svc = service('api', { build: { context: '/p/api', dockerfile: 'Dockerfile', args: {} } });

describe('watch rule matching', () => {
  it('matches paths below the rule path, relative to it', () => {
    const c = compileRule(svc, 0, rule({ action: 'sync', path: '/p/api/src', target: '/app/src' }));
    expect(matchRule(c, '/p/api/src/a/b.js')).toBe('a/b.js');
    expect(matchRule(c, '/p/api/srcx/b.js')).toBeUndefined();
    expect(matchRule(c, '/p/api/b.js')).toBeUndefined();
  });

  it('ignores .git, node_modules, .orch and editor temp files by default', () => {
    const c = compileRule(svc, 0, rule({ action: 'sync', path: '/p/api', target: '/app' }));
    for (const p of [
      '.git/HEAD',
      'node_modules/x/index.js',
      'a/node_modules/y.js',
      '.orch/p/supervisor.log',
      'src/.app.js.swp',
      'src/app.js~',
      'src/4913',
      'src/.#app.js',
      'src/#app.js#',
      'src/app.js___jb_tmp___',
    ])
      expect(matchRule(c, `/p/api/${p}`), p).toBeUndefined();
    expect(matchRule(c, '/p/api/src/app.js')).toBe('src/app.js');
    expect(defaultIgnored('src/gitlike/.gitignore')).toBe(false);
  });

  it('applies ignore patterns relative to the rule path, with ** and ! re-includes', () => {
    const c = compileRule(
      svc,
      0,
      rule({
        action: 'sync',
        path: '/p/api',
        target: '/app',
        ignore: ['*.md', 'dist/', '**/*.test.js', '!keep.md'],
      }),
    );
    expect(matchRule(c, '/p/api/README.md')).toBeUndefined();
    expect(matchRule(c, '/p/api/keep.md')).toBe('keep.md');
    expect(matchRule(c, '/p/api/docs/x.md')).toBe('docs/x.md'); // `*` stays within one segment
    expect(matchRule(c, '/p/api/dist/main.js')).toBeUndefined();
    expect(matchRule(c, '/p/api/src/deep/a.test.js')).toBeUndefined();
    expect(matchRule(c, '/p/api/src/deep/a.js')).toBe('src/deep/a.js');
  });

  it('keeps only included paths when include is given', () => {
    const c = compileRule(
      svc,
      0,
      rule({ action: 'sync', path: '/p/api', target: '/app', include: ['src/**/*.js', 'index.html'] }),
    );
    expect(matchRule(c, '/p/api/src/x/y.js')).toBe('src/x/y.js');
    expect(matchRule(c, '/p/api/index.html')).toBe('index.html');
    expect(matchRule(c, '/p/api/src/x/y.css')).toBeUndefined();
    // Directories are never pruned for include: a file below may match.
    expect(prunable([c], '/p/api/src')).toBe(false);
  });

  it('honours the build context .dockerignore for rebuild rules only', () => {
    const di = ['tmp', '*.log'];
    const rebuild = compileRule(svc, 0, rule({ action: 'rebuild', path: '/p/api' }), di);
    expect(matchRule(rebuild, '/p/api/tmp/cache')).toBeUndefined();
    expect(matchRule(rebuild, '/p/api/debug.log')).toBeUndefined();
    expect(matchRule(rebuild, '/p/api/server.js')).toBe('server.js');
    const sync = compileRule(svc, 1, rule({ action: 'sync', path: '/p/api', target: '/app' }), di);
    expect(matchRule(sync, '/p/api/debug.log')).toBe('debug.log');
  });

  it('a rule on one file matches that file with an empty relative path', () => {
    const c = compileRule(svc, 0, rule({ action: 'rebuild', path: '/p/api/package.json' }));
    expect(matchRule(c, '/p/api/package.json')).toBe('');
    expect(matchRule(c, '/p/api/package-lock.json')).toBeUndefined();
  });

  it('routes a path to the first matching rule of each service', () => {
    const rules = [
      compileRule(svc, 0, rule({ action: 'sync', path: '/p/api/src', target: '/app/src' })),
      compileRule(svc, 1, rule({ action: 'rebuild', path: '/p/api' })),
      compileRule(service('web'), 0, rule({ action: 'sync+restart', path: '/p/api/src', target: '/w' })),
    ];
    const hits = route(rules, '/p/api/src/a.js').map((h) => `${h.rule.service}:${h.rule.index}:${h.rel}`);
    expect(hits).toEqual(['api:0:a.js', 'web:0:a.js']);
    expect(route(rules, '/p/api/package.json').map((h) => h.rule.index)).toEqual([1]);
  });

  it('prunes ignored trees but never an ancestor of a rule path', () => {
    const c = compileRule(
      svc,
      0,
      rule({ action: 'sync', path: '/p/api/src', target: '/app', ignore: ['gen'] }),
    );
    expect(prunable([c], '/p/api')).toBe(false);
    expect(prunable([c], '/p/api/src/node_modules')).toBe(true);
    expect(prunable([c], '/p/api/src/gen')).toBe(true);
    expect(prunable([c], '/p/other')).toBe(true);
  });
});

describe('watch rules of a host process', () => {
  it('restart it whatever the action: its files are already where it reads them', () => {
    const hp = service('web', {
      orch: {
        restartOnUnhealthy: true,
        backoff: { initialMs: 1, maxMs: 2 },
        process: { command: 'x', cwd: '/p/web' },
      },
    });
    for (const action of ['sync', 'sync+restart', 'rebuild', 'restart'] as const)
      expect(compileRule(hp, 0, rule({ action, path: '/p/web', target: '/app' })).rule.action).toBe(
        'restart',
      );
    // a container's rules keep their action
    expect(compileRule(svc, 0, rule({ action: 'sync', path: '/p/api', target: '/app' })).rule.action).toBe(
      'sync',
    );
  });
});
