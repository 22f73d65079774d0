import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, forceClean, leftovers, orch, uniqueName } from './helpers.js';

const name = uniqueName('fidelity');
const dir = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
afterAll(() => {
  forceClean(name);
  rmSync(dir, { recursive: true, force: true });
});

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

interface Inspected {
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: { Source: string; Destination: string }[];
  State: { Status: string };
}
const inspect = (c: string) => (JSON.parse(docker(['inspect', c])) as Inspected[])[0] as Inspected;

describe('extends + include + network_mode: service:x on a real engine', () => {
  write({
    // The main file: its one service extends a base in another folder and borrows the network
    // namespace of a service that only the included file defines.
    'compose.yaml': `name: ${name}
include:
  - net/compose.yaml
services:
  sidecar:
    extends: { file: shared/common.yaml, service: base }
    network_mode: service:web
    command: ["sleep", "3600"]
`,
    'shared/common.yaml': `services:
  base:
    image: busybox:latest
    stop_signal: SIGKILL
    volumes: ["./data:/data:ro"]
    environment: { FROM_BASE: "yes" }
`,
    'shared/data/hello.txt': 'from the base file\n',
    'net/compose.yaml': `services:
  web:
    image: busybox:latest
    stop_signal: SIGKILL
    volumes: ["./www:/www:ro"]
    command: ["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"]
`,
    'net/www/index.html': 'served by web\n',
  });

  it('config shows the merged, included and namespaced services', async () => {
    const r = await orch(['config', '--json'], { cwd: dir });
    expect(r.stderr).not.toMatch(/not supported|ignored/);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(cfg.services).sort()).toEqual(['sidecar', 'web']);
    expect(cfg.services['sidecar']).toMatchObject({
      image: 'busybox:latest',
      network_mode: 'service:web',
      environment: { FROM_BASE: 'yes' },
      depends_on: { web: { condition: 'service_started', restart: true, required: true } },
      volumes: [{ type: 'bind', source: join(dir, 'shared/data'), target: '/data', read_only: true }],
    });
    expect(cfg.services['web']?.['volumes']).toEqual([
      { type: 'bind', source: join(dir, 'net/www'), target: '/www', read_only: true },
    ]);
  });

  it('up runs them; the sidecar shares web’s network namespace; down leaves nothing', async () => {
    const up = await orch(['up', '-d', '--wait', '--timeout', '90'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const web = inspect(`${name}-web-1`);
    const side = inspect(`${name}-sidecar-1`);
    // The engine binds the namespace to the container's id when it exists at creation.
    const webId = docker(['inspect', '-f', '{{.Id}}', `${name}-web-1`]);
    expect([`container:${name}-web-1`, `container:${webId}`]).toContain(side.HostConfig.NetworkMode);
    expect(Object.keys(side.NetworkSettings.Networks)).toEqual([]);
    expect(Object.keys(web.NetworkSettings.Networks)).toEqual([`${name}_default`]);
    // Same namespace: the sidecar reaches web's server on its own loopback.
    const page = docker(['exec', `${name}-sidecar-1`, 'wget', '-qO-', 'http://127.0.0.1:8080/index.html']);
    expect(page).toBe('served by web');
    const netns = (c: string) => docker(['exec', c, 'readlink', '/proc/self/ns/net']);
    expect(netns(`${name}-sidecar-1`)).toBe(netns(`${name}-web-1`));
    // The base file's relative bind source resolved against the base file's folder.
    expect(docker(['exec', `${name}-sidecar-1`, 'cat', '/data/hello.txt'])).toBe('from the base file');

    // web's configuration changes: up recreates it, and the sidecar, bound to the old
    // container's namespace, is recreated with it instead of being left in a dead one.
    const oldSide = docker(['inspect', '-f', '{{.Id}}', `${name}-sidecar-1`]);
    write({
      'net/compose.yaml':
        readFileSync(join(dir, 'net/compose.yaml'), 'utf8') + '    environment: { V: "2" }\n',
    });
    const again = await orch(['up', '-d', '--wait', '--timeout', '90'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(docker(['inspect', '-f', '{{.Id}}', `${name}-sidecar-1`])).not.toBe(oldSide);
    expect(netns(`${name}-sidecar-1`)).toBe(netns(`${name}-web-1`));
    expect(docker(['exec', `${name}-sidecar-1`, 'wget', '-qO-', 'http://127.0.0.1:8080/index.html'])).toBe(
      'served by web',
    );

    const down = await orch(['down'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(leftovers(name)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
