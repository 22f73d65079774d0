import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forceClean, leftovers, orch, projectDir, repoRoot, uniqueName } from './helpers.js';

const projects: string[] = [];
afterAll(() => {
  for (const p of projects) {
    forceClean(p);
    // Images built for the scaffolded services are tagged `<project>-<service>`.
    const images = spawnSync('docker', ['images', '-q', '--filter', `reference=${p}-*`], {
      encoding: 'utf8',
    });
    const ids = images.stdout.split('\n').filter(Boolean);
    if (ids.length) spawnSync('docker', ['rmi', '-f', ...ids]);
  }
});

function project(prefix: string): string {
  const p = uniqueName(prefix);
  projects.push(p);
  return p;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => done(port));
    });
  });
}

/** Every path under `dir` with a hash of its content: equal snapshots mean byte-for-byte equal trees. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      // orch's own state (the cached project model): not the user's files this test guards.
      if (name === '.orch') continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out[`${full}/`] = 'dir';
        walk(full);
      } else out[full] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

// A project with comments and an existing route, so the edit has something to keep.
const base = (name: string): string => `# a project made by the scaffold test
name: ${name}

services:
  hello:
    image: busybox:latest   # stays as written
    command: ["sh", "-c", "echo hello ready; exec sleep 3600"]
    stop_signal: SIGKILL
    x-orch:
      probe: { log: "hello ready" }
`;

interface Case {
  readonly template: string;
  readonly service: string;
  /** What a GET through the gateway route must answer; undefined: no route (the worker). */
  readonly expectBody?: RegExp;
}

const cases: Case[] = [
  { template: 'node-http', service: 'payments', expectBody: /"service":"payments"/ },
  { template: 'node-worker', service: 'mailer' },
  { template: 'static-site', service: 'docs', expectBody: /<h1>docs<\/h1>/ },
  { template: 'node-http-redis', service: 'counter', expectBody: /"visits":1\b/ },
  { template: 'node-host', service: 'front', expectBody: /"service":"front"/ },
];

describe('orch new on a real engine', () => {
  it.each(cases)('$template: new, up --wait, then it answers', async ({ template, service, expectBody }) => {
    const name = project(`new-${template}`);
    const dir = projectDir({ 'orch.yaml': base(name) });
    const before = readFileSync(join(dir, 'orch.yaml'), 'utf8');

    const made = await orch(['new', template, service], { cwd: dir });
    expect(made.stderr).toContain(`created ${service}/`);
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/next:\n {2}orch up/);
    const after = readFileSync(join(dir, 'orch.yaml'), 'utf8');
    // Only additions: the original text is still there, in order, comments included.
    expect(after.startsWith(before)).toBe(true);
    expect((await orch(['validate'], { cwd: dir })).code).toBe(0);

    const port = await freePort();
    const up = await orch(['up', '-d', '--wait', '--timeout', '120', '--gateway-port', String(port)], {
      cwd: dir,
    });
    expect(up.stderr).toContain(`${service}: healthy`);
    expect(up.code).toBe(0);
    try {
      if (expectBody) {
        const res = await fetch(`http://127.0.0.1:${port}/${service}/`, {
          headers: { 'x-request-id': 'scaffold-e2e-1' },
        });
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(expectBody);
        const health = await fetch(`http://127.0.0.1:${port}/${service}/health`);
        expect(health.status).toBe(200);
      } else {
        const ps = await orch(['ps', '--json'], { cwd: dir });
        const rows = JSON.parse(ps.stdout) as { service: string; health: string }[];
        expect(rows.find((r) => r.service === service)?.health).toBe('healthy');
      }
    } finally {
      const down = await orch(['down', '-v', '-t', '5'], { cwd: dir });
      expect(down.code).toBe(0);
    }
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('refuses bad requests with exit 2 and leaves the directory byte-for-byte unchanged', async () => {
    const name = project('new-refuse');
    const dir = projectDir({ 'orch.yaml': base(name) });
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'keep.txt'), 'mine');
    const bad = join(dir, 'my-templates', 'broken');
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      join(bad, 'template.yaml'),
      'name: broken\ndescription: x\nservice:\n  image: "{{nope}}"\n',
    );
    const before = snapshot(dir);
    const refused: [string[], RegExp][] = [
      [['new', 'node-http', 'Payments'], /upper-case/],
      [['new', 'node-http', '../escape'], /path separator/],
      [['new', 'node-http', '..'], /`\.\.`/],
      [['new', 'node-http', ''], /empty/],
      [['new', 'node-http', 'hello'], /service `hello` already exists/],
      [['new', 'node-http', 'taken'], /taken already exists/],
      [
        ['new', 'rails-app', 'shop'],
        /unknown template `rails-app`[\s\S]*known templates: node-host, node-http, node-http-redis, node-worker, static-site/,
      ],
      [['new', 'broken', 'b', '--templates', 'my-templates'], /undeclared placeholder \{\{nope\}\}/],
      [['new', 'node-worker', 'c', '--port', '9000'], /takes no port/],
    ];
    for (const [args, why] of refused) {
      const r = await orch(args, { cwd: dir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(dir)).toEqual(before);
    }
    const dry = await orch(['new', 'node-http', 'preview', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+  preview:');
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a port another service uses, and takes user templates from x-orch.templates', async () => {
    const name = project('new-port');
    const dir = projectDir({
      'orch.yaml': `name: ${name}\nservices:\n  api:\n    image: busybox:latest\n    expose: ["3000"]\nx-orch:\n  templates: ./tpl\n`,
    });
    cpSync(join(repoRoot, 'test/fixtures/scaffold/templates/good-one'), join(dir, 'tpl/good-one'), {
      recursive: true,
    });
    const before = snapshot(dir);
    const r = await orch(['new', 'node-http', 'pay', '--port', '3000'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('port 3000 is already used by api (expose)');
    expect(snapshot(dir)).toEqual(before);

    const list = await orch(['templates', '--json'], { cwd: dir });
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((t) => t.name);
    expect(names).toEqual([
      'good-one',
      'node-host',
      'node-http',
      'node-http-redis',
      'node-worker',
      'static-site',
    ]);
    const made = await orch(['new', 'good-one', 'greeter', '--var', 'greeting=howdy'], { cwd: dir });
    expect(made.code).toBe(0);
    expect(readFileSync(join(dir, 'greeter/sub/readme.txt'), 'utf8')).toContain('howdy, I live in ./greeter');
    expect(readFileSync(join(dir, 'orch.yaml'), 'utf8')).toContain('echo howdy from greeter');
  });
});
