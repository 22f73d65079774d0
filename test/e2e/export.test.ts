import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { orch, repoRoot } from './helpers.js';

// The built CLI (`npm run build` first). No engine needed: exports only read the project.
const shop = join(repoRoot, 'examples/shop/orch.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'orch-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('orch export', () => {
  it('kubernetes: multi-document YAML on stdout, warnings on stderr, byte-identical run to run', async () => {
    const a = await orch(['export', 'kubernetes', '-f', shop]);
    const b = await orch(['export', 'kubernetes', '-f', shop]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const docs = parseAllDocuments(a.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    const ids = docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(ids).toEqual(
      expect.arrayContaining(['Deployment/api', 'Job/migrate', 'Service/redis', 'Ingress/route-0-api']),
    );
    expect(ids).not.toContain('Kustomization/undefined');
    expect(a.stderr).toContain('orch: warning: kubernetes: worker: x-orch.probe.log:');
    expect(a.stderr).not.toMatch(/\n\s+at /);
  });

  it('kubernetes -o DIR: one file per object and a kustomization listing them', async () => {
    const dir = join(tmp, 'k8s');
    const r = await orch(['export', 'kubernetes', '-f', shop, '-o', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const files = readdirSync(dir).sort();
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...k.resources, 'kustomization.yaml'].sort()).toEqual(files);
    expect(files).toContain('deployment-api.yaml');
  });

  it('swarm -o FILE writes the stack file; compose prints the file without x-orch', async () => {
    const file = join(tmp, 'stack.yaml');
    const s = await orch(['export', 'swarm', '-f', shop, '-o', file]);
    expect(s.code).toBe(0);
    const stack = parse(readFileSync(file, 'utf8')) as {
      services: Record<string, { deploy: { replicas: number } }>;
    };
    expect(stack.services['api']?.deploy.replicas).toBe(2);
    expect(Object.keys(stack.services)).toContain('gateway');
    const c = await orch(['export', 'compose', '-f', shop]);
    expect(c.code).toBe(0);
    expect(c.stdout).not.toContain('x-orch');
    expect((parse(c.stdout) as { services: Record<string, unknown> }).services).toHaveProperty(
      'web.healthcheck',
    );
  });

  it('a bad project file is a usage error (exit 2)', async () => {
    const r = await orch([
      'export',
      'kubernetes',
      '-f',
      join(repoRoot, 'test/fixtures/project/bad/cycle.yaml'),
    ]);
    expect(r.code).toBe(2);
  });
});
