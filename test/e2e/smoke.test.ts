import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cliPath, leftovers, orch, projectDir, projectNames } from './helpers.js';
import { junitProblems, parseXml } from '../unit/smoke/junit-schema.js';

const project = projectNames();

const nothing = { containers: [], networks: [], volumes: [] };

// busybox httpd behind the gateway; a named volume so `down --volumes` has something to remove.
const web = (name: string, smoke: string): string => `
name: ${name}
services:
  web:
    image: busybox:latest
    stop_signal: SIGKILL
    command: ["sh", "-c", "mkdir -p /www/api && echo ok > /www/health && echo '{\\"items\\":[{\\"id\\":7}]}' > /www/api/items && exec httpd -f -v -p 8000 -h /www"]
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/health"]
      interval: 500ms
      retries: 20
volumes:
  data: {}
x-orch:
  gateway:
    port: 18080
    routes:
      - { path: /, service: web, port: 8000 }
  smoke:
${smoke}`;

const passing = `
    - name: web answers
      get: /health
      expect_status: 200
      expect_body: ok
    - name: items as JSON
      get: /api/items
      expect_json: { path: "items[0].id", value: 7 }
    - name: host command sees the gateway
      run: ["sh", "-c", "wget -q -O- $$ORCH_GATEWAY_URL/health"]
    - name: inside web
      exec: { service: web, command: ["test", "-f", "/www/health"] }
`;

describe('orch smoke on a real engine', () => {
  it('all checks pass: exit 0, a valid JUnit with failures="0", nothing left', async () => {
    const name = project('smoke-ok');
    const dir = projectDir({ 'orch.yaml': web(name, passing) });
    const r = await orch(['smoke', '--junit', 'out/junit.xml', '--json', '--timeout', '90'], { cwd: dir });
    expect(r.stderr).toContain('4 passed, 0 failed');
    expect(r.code).toBe(0);
    const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    const doc = parseXml(xml);
    expect(junitProblems(doc)).toEqual([]);
    expect(xml).toMatch(/<testsuite [^>]*tests="4" failures="0"/);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: { status: string }[];
      services: { service: string; health: string; timeline: { ready?: number } }[];
    };
    expect(json.ok).toBe(true);
    expect(json.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(json.services[0]).toMatchObject({ service: 'web', health: 'healthy' });
    expect(json.services[0]?.timeline.ready).toBeGreaterThan(0);
    // Artifacts are only written when asked.
    expect(existsSync(join(dir, 'smoke-artifacts'))).toBe(false);
    expect(leftovers(name)).toEqual(nothing);
  });

  it('a failing check: exit 1, JUnit names it, artifacts written, nothing left', async () => {
    const name = project('smoke-fail');
    const dir = projectDir({
      'orch.yaml': web(
        name,
        `${passing}    - name: wrong body
      get: /health
      expect_body: "/^fine$/"
      retries: 1
`,
      ),
    });
    const r = await orch(['smoke', '--junit', 'junit.xml', '--artifacts', 'art', '--timeout', '90'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('check "wrong body" failed');
    const doc = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(junitProblems(doc)).toEqual([]);
    const suite = doc.children[0];
    expect(suite?.attrs['failures']).toBe('1');
    const failing = suite?.children.filter(
      (c) => c.name === 'testcase' && c.children.some((x) => x.name === 'failure'),
    );
    expect(failing?.map((c) => c.attrs['name'])).toEqual(['wrong body']);
    expect(readdirSync(join(dir, 'art')).sort()).toEqual(['gateway-access.log', 'result.json', 'services']);
    expect(readdirSync(join(dir, 'art/services/web')).sort()).toEqual(
      [`${name}-web-1.log`, 'inspect.json', 'ps.json'].sort(),
    );
    expect(readFileSync(join(dir, 'art/gateway-access.log'), 'utf8')).toContain('GET /health 200');
    expect(readFileSync(join(dir, `art/services/web/${name}-web-1.log`), 'utf8')).toContain('response:200');
    const result = JSON.parse(readFileSync(join(dir, 'art/result.json'), 'utf8')) as { outcome: string };
    expect(result.outcome).toBe('failed');
    expect(leftovers(name)).toEqual(nothing);
  });

  it('a service that never becomes healthy: exit 1, named on stderr, logs in artifacts, nothing left', async () => {
    const name = project('smoke-sick');
    const dir = projectDir({
      'orch.yaml': `
name: ${name}
services:
  sick:
    image: busybox:latest
    stop_signal: SIGKILL
    command: ["sh", "-c", "echo SICK-MARKER starting; exec sleep 3600"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 500ms
      retries: 2
  probed:
    image: busybox:latest
    stop_signal: SIGKILL
    command: ["sleep", "3600"]
    x-orch:
      probe: { exec: ["false"], interval: 500ms, retries: 2 }
x-orch:
  smoke:
    - name: never runs
      run: ["true"]
`,
    });
    const r = await orch(['smoke', '--junit', 'junit.xml', '--artifacts', 'art', '--timeout', '20'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service sick did not become healthy');
    // Health from orch's own probe is reported as the probe saw it, not as "none".
    expect(r.stderr).toMatch(
      /service probed did not become healthy[^\n]*\n\s*state running, health (unhealthy|starting)/,
    );
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junitProblems(parseXml(xml))).toEqual([]);
    expect(xml).toContain('<testcase name="service sick is healthy"');
    expect(xml).toContain('SICK-MARKER');
    expect(xml).toContain('<skipped message="not run: the stack did not become healthy"/>');
    expect(readFileSync(join(dir, `art/services/sick/${name}-sick-1.log`), 'utf8')).toContain('SICK-MARKER');
    expect(leftovers(name)).toEqual(nothing);
  });

  it('a gateway port that is taken: exit 2, and the JUnit still says why', async () => {
    const name = project('smoke-port');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = projectDir({ 'orch.yaml': web(name, passing) });
      const r = await orch(['smoke', '--junit', 'junit.xml', '--gateway-port', String(port)], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(String(port));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
      expect(junitProblems(parseXml(xml))).toEqual([]);
      expect(xml).toContain('<testcase name="the stack starts"');
      expect(xml).toMatch(new RegExp(`<failure message="[^"]*${port}`));
      expect(xml).toContain('<skipped message="not run: the stack could not be started"/>');
      expect(leftovers(name)).toEqual(nothing);
    } finally {
      blocker.close();
    }
  });

  it('takes down a running project of the same name first; run: checks work without a gateway', async () => {
    const name = project('smoke-fresh');
    const yaml = `name: ${name}\nservices:\n  a:\n    image: busybox:latest\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\nx-orch:\n  smoke:\n    - name: host\n      run: "true"\n    - name: http without gateway\n      get: /\n`;
    const dir = projectDir({ 'orch.yaml': yaml });
    expect((await orch(['up', '-d'], { cwd: dir })).code).toBe(0);
    const r = await orch(['smoke', '--json'], { cwd: dir });
    expect(r.stderr).toContain(`took down the running ${name} first`);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { checks: { status: string; reason?: string }[] };
    expect(json.checks[0]?.status).toBe('passed');
    expect(json.checks[1]?.reason).toMatch(/this project has none/);
    expect(leftovers(name)).toEqual(nothing);
  });

  it('a bad project file: exit 2, nothing started', async () => {
    const dir = projectDir({ 'orch.yaml': 'services:\n  a:\n    image: busybox:latest\n    bogus_key: 1\n' });
    const r = await orch(['smoke'], { cwd: dir });
    expect(r.code).toBe(2);
  });

  it('Ctrl-C during smoke: exit 130 and nothing left', async () => {
    const name = project('smoke-int');
    const dir = projectDir({
      'orch.yaml': web(name, `    - name: slow\n      run: ["sleep", "30"]\n      timeout: 60s\n`),
    });
    const child = spawn(process.execPath, [cliPath, 'smoke', '--junit', 'junit.xml'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const end = Date.now() + 60_000;
    while (!stderr.includes('web: healthy') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(leftovers(name)).toEqual(nothing);
  });
});
