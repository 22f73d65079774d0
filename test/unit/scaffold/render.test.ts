import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTemplates } from '../../../src/adapters/scaffold-fs.js';
import { placeholdersIn, renderText, renderValue } from '../../../src/core/scaffold/placeholders.js';
import { renderTemplate, resolveVars, serviceNameProblem } from '../../../src/core/scaffold/index.js';
import { OrchError } from '../../../src/errors/index.js';
import { builtin, fixtures, repoRoot } from './helpers.js';

const text = (c: Uint8Array): string => new TextDecoder().decode(c);

describe('placeholders', () => {
  it('finds and fills {{name}}, with or without inner spaces, and leaves other braces alone', () => {
    expect(placeholdersIn('a {{name}} b {{ port }} c {{name}} {{ not one')).toEqual(['name', 'port']);
    expect(renderText('{{name}}:{{ port }} {x} {{ 1 }}', { name: 'pay', port: 3000 })).toBe(
      'pay:3000 {x} {{ 1 }}',
    );
  });

  it('keeps a variable’s type when a scalar is exactly one placeholder, except under environment', () => {
    expect(
      renderValue(
        { port: '{{port}}', url: 'http://x:{{port}}/', environment: { PORT: '{{port}}' } },
        { port: 3000 },
      ),
    ).toEqual({
      port: 3000,
      url: 'http://x:3000/',
      environment: { PORT: '3000' },
    });
  });
});

describe('service names', () => {
  it.each([
    ['', /empty/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['..', /\.\./],
    ['a..b', /\.\./],
    ['Payments', /upper-case/],
    ['-x', /must start/],
    ['a.b', /must start/],
    ['a b', /must start/],
    ['x'.repeat(64), /longer than 63/],
  ])('refuses %j', (name, why) => {
    expect(serviceNameProblem(name)).toMatch(why);
  });

  it.each(['payments', 'a', 'web-2', 'my_svc', '9lives'])('accepts %s', (name) => {
    expect(serviceNameProblem(name)).toBeUndefined();
  });
});

describe('rendering the built-in templates', () => {
  it('lists the five built-ins, each valid', async () => {
    const set = await readTemplates([{ dir: join(repoRoot, 'templates'), source: 'builtin' }]);
    expect(set.invalid.size).toBe(0);
    expect(set.templates.map((t) => t.manifest.name).sort()).toEqual([
      'node-host',
      'node-http',
      'node-http-redis',
      'node-worker',
      'static-site',
    ]);
  });

  it('node-http: fills name, port and dir in files, service block and route', async () => {
    const t = await builtin('node-http');
    const r = renderTemplate(t, resolveVars(t, 'payments', './payments', { port: '4000' }));
    expect(r.files.map((f) => f.path)).toEqual(['Dockerfile', 'healthcheck.js', 'package.json', 'server.js']);
    const all = r.files.map((f) => text(f.content)).join('\n');
    expect(all).not.toMatch(/\{\{/);
    expect(text(r.files.find((f) => f.path === 'Dockerfile')?.content ?? new Uint8Array())).toContain(
      'EXPOSE 4000',
    );
    expect(
      JSON.parse(text(r.files.find((f) => f.path === 'package.json')?.content ?? new Uint8Array())),
    ).toMatchObject({ name: 'payments' });
    expect(r.service).toMatchObject({
      build: { context: './payments' },
      environment: { PORT: '4000' },
      healthcheck: { test: ['CMD', 'node', '/app/healthcheck.js', 'http://127.0.0.1:4000/health'] },
    });
    expect(r.route).toEqual({ path: '/payments', service: 'payments', port: 4000, strip_prefix: true });
  });

  it('node-worker: no port, no route, a log probe naming the service', async () => {
    const t = await builtin('node-worker');
    const r = renderTemplate(t, resolveVars(t, 'mailer', './mailer', {}));
    expect(r.route).toBeUndefined();
    expect(r.service['x-orch']).toEqual({ probe: { log: 'mailer ready' } });
    expect(r.service['environment']).toEqual({ INTERVAL_MS: '5000' });
  });

  it('refuses unknown variables and bad values', async () => {
    const t = await builtin('node-http');
    expect(() => resolveVars(t, 'a', './a', { colour: 'red' })).toThrow(/no variable `colour`.*|/);
    expect(() => resolveVars(t, 'a', './a', { port: '70000' })).toThrow(OrchError);
    expect(() => resolveVars(t, 'a', './a', { port: 'abc' })).toThrow(/port from 1 to 65535/);
  });
});

describe('user templates and manifest validation', () => {
  const dirs = [
    { dir: join(fixtures, 'templates'), source: 'test' },
    { dir: join(repoRoot, 'templates'), source: 'builtin' },
  ];

  it('reads a valid user template and renders its nested files; copies `{{ not` as is', async () => {
    const set = await readTemplates(dirs);
    const t = set.templates.find((x) => x.manifest.name === 'good-one');
    expect(t?.source).toBe('test');
    if (!t) return;
    const r = renderTemplate(t, resolveVars(t, 'hello', './svc/hello', { greeting: 'hey' }));
    expect(r.files).toHaveLength(1);
    expect(r.files[0]?.path).toBe('sub/readme.txt');
    expect(text(r.files[0]?.content ?? new Uint8Array())).toBe(
      'hey, I live in ./svc/hello; {{ not a placeholder\n',
    );
    expect(r.route).toBeUndefined();
  });

  it('reports every problem of a bad manifest, each at its line', async () => {
    const set = await readTemplates(dirs);
    const err = set.invalid.get('bad-manifest');
    expect(err).toBeInstanceOf(OrchError);
    const messages = (err?.diagnostics ?? []).map((d) => `${d.line}: ${d.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1: `name: other-name` must match the template's folder name `bad-manifest`/),
        expect.stringMatching(/`description` is required/),
        expect.stringMatching(/^3: `name` is set by orch/),
        expect.stringMatching(/^7: `port` must be an integer from 1 to 65535/),
        expect.stringMatching(/^9: `type` is `string` or `integer`/),
        expect.stringMatching(/^11: the service needs a `healthcheck` or an `x-orch.probe`/),
        expect.stringMatching(/^11: undeclared placeholder \{\{image\}\}/),
        expect.stringMatching(/^15: unknown key `extra`/),
        expect.stringMatching(/^0: undeclared placeholder \{\{missing\}\}/),
      ]),
    );
    expect(messages.join('\n')).not.toContain('{{port}}');
    expect(err?.diagnostics.find((d) => d.message.includes('{{missing}}'))?.file).toMatch(
      /bad-manifest\/hello\.txt$/,
    );
  });
});
