import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadProject, memoryFs, toComposeCanonical } from '../../../src/project/index.js';
import { OrchError } from '../../../src/errors/index.js';
import { stringify } from 'yaml';
import { expectedConfig } from './compose-reference.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpusDir = resolve(repo, '../shared/corpus/awesome-compose');
const specFile = resolve(repo, '../shared/corpus/compose-spec/compose-spec.json');
const specDocs = resolve(repo, '../shared/corpus/compose-spec/spec');
const hasCorpus = existsSync(corpusDir);

function corpusFiles(): { name: string; file: string; text: string }[] {
  if (!hasCorpus) return [];
  return readdirSync(corpusDir)
    .flatMap((d) => ['compose.yaml', 'compose.yml'].map((f) => join(corpusDir, d, f)))
    .filter((f) => existsSync(f))
    .map((file) => ({ name: file.slice(corpusDir.length + 1), file, text: readFileSync(file, 'utf8') }));
}

/** orch's verdict on one file's text: true when it loads without errors. */
async function orchAccepts(file: string, text: string): Promise<{ ok: boolean; messages: string[] }> {
  try {
    await loadProject({ cwd: dirname(file), files: [file], env: {} }, memoryFs({ [file]: text }));
    return { ok: true, messages: [] };
  } catch (err) {
    if (!(err instanceof OrchError)) throw err;
    return {
      ok: false,
      messages: err.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.line}:${d.col} ${d.message}`),
    };
  }
}

describe.skipIf(!hasCorpus)('awesome-compose corpus (skipped: ../shared/corpus not present)', () => {
  const files = corpusFiles();
  it('has the 39 files', () => expect(files.length).toBe(39));
  it.each(files.map((f) => [f.name, f] as const))('%s validates without errors', async (_n, f) => {
    const r = await orchAccepts(f.file, f.text);
    expect(r.messages).toEqual([]);
  });
});

/** Mutations that the official schema rejects; orch must reject every one too. */
const MUTATIONS: { name: string; apply: (doc: Record<string, unknown>) => boolean }[] = [
  {
    name: 'misspelt service key',
    apply: (d) => mutateService(d, (s) => ((s['healtcheck'] = { test: 'true' }), true)),
  },
  { name: 'unknown top-level key', apply: (d) => ((d['servics'] = {}), true) },
  { name: 'ports not a list', apply: (d) => mutateService(d, (s) => ((s['ports'] = 'x'), true)) },
  { name: 'image a number', apply: (d) => mutateService(d, (s) => ((s['image'] = 5), true)) },
  { name: 'restart a list', apply: (d) => mutateService(d, (s) => ((s['restart'] = ['always']), true)) },
  {
    name: 'bad depends_on condition',
    apply: (d) => mutateService(d, (s) => ((s['depends_on'] = { x: { condition: 'ready' } }), true)),
  },
  {
    name: 'unknown build key',
    apply: (d) => mutateService(d, (s) => ((s['build'] = { contxt: '.' }), true)),
  },
  { name: 'environment a number', apply: (d) => mutateService(d, (s) => ((s['environment'] = 3), true)) },
  {
    name: 'healthcheck unknown key',
    apply: (d) => mutateService(d, (s) => ((s['healthcheck'] = { intervall: '1s' }), true)),
  },
  {
    name: 'volume long form without type',
    apply: (d) => mutateService(d, (s) => ((s['volumes'] = [{ target: '/x' }]), true)),
  },
  { name: 'bad service name', apply: (d) => renameFirstService(d, 'bad name') },
  { name: 'networks entry a number', apply: (d) => ((d['networks'] = { n: 5 }), true) },
];

function mutateService(d: Record<string, unknown>, fn: (s: Record<string, unknown>) => boolean): boolean {
  const services = d['services'] as Record<string, Record<string, unknown>> | undefined;
  const first = services ? Object.values(services)[0] : undefined;
  return first ? fn(first) : false;
}

function renameFirstService(d: Record<string, unknown>, name: string): boolean {
  const services = d['services'] as Record<string, unknown> | undefined;
  const [k, v] = Object.entries(services ?? {})[0] ?? [];
  if (!services || k === undefined) return false;
  d['services'] = { [name]: v };
  return true;
}

describe.skipIf(!existsSync(specFile))(
  'conformance with the official compose-spec schema (skipped: ../shared absent)',
  () => {
    // The describe body runs at collection even when skipped: read ../shared only inside tests.
    let compiled: ((doc: unknown) => boolean) | undefined;
    const official = (doc: unknown): boolean => {
      if (!compiled) {
        const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Record<string, unknown>;
        delete spec['$schema'];
        const validate = new Ajv({ strict: false, validateSchema: false, allErrors: true }).compile(spec);
        compiled = (d) => validate(d);
      }
      return compiled(doc);
    };
    const files = corpusFiles();

    it.each(files.map((f) => [f.name, f] as const))('%s: both accept', async (_n, f) => {
      expect(official(parse(f.text))).toBe(true);
      expect((await orchAccepts(f.file, f.text)).ok).toBe(true);
    });

    const cases = files.flatMap((f) => MUTATIONS.map((m) => [`${f.name}: ${m.name}`, f, m] as const));
    it.each(cases)('%s: orch rejects wherever the official schema rejects', async (_n, f, m) => {
      const doc = parse(f.text) as Record<string, unknown>;
      if (!m.apply(doc)) return;
      if (official(doc)) return;
      const text = JSON.stringify(doc);
      expect((await orchAccepts(f.file, text)).ok).toBe(false);
    });
  },
);

type Json = Record<string, unknown>;
const ENV = { HOME: '/home/user' };

/** Keys of a service that the reference and orch must print identically. */
const COMPARED = [
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'labels',
  'ports',
  'expose',
  'volumes',
  'networks',
  'network_mode',
  'depends_on',
  'restart',
  'container_name',
  'hostname',
  'user',
  'working_dir',
  'stop_signal',
  'cap_add',
  'cap_drop',
  'healthcheck',
  'secrets',
];

function compareWithReference(
  text: string,
  file: string,
  cfg: Json,
  keys: readonly string[] = COMPARED,
): void {
  const expected = expectedConfig(
    parse(text, { merge: true }) as Json,
    dirname(file),
    String(cfg['name']),
    ENV,
  );
  const services = (cfg['services'] ?? {}) as Record<string, Json>;
  for (const [name, exp] of Object.entries(expected['services'] as Record<string, Json>)) {
    for (const k of keys) {
      if (!(k in exp)) continue;
      const want = exp[k];
      const empty =
        (Array.isArray(want) && want.length === 0) ||
        (want !== null && typeof want === 'object' && Object.keys(want).length === 0);
      expect.soft(services[name]?.[k], `${name}.${k}`).toEqual(empty ? undefined : want);
    }
  }
  for (const section of ['networks', 'volumes'] as const) {
    for (const [k, v] of Object.entries(expected[section] as Record<string, Json>)) {
      expect
        .soft((cfg[section] as Record<string, unknown> | undefined)?.[k], `${section}.${k}`)
        .toMatchObject(v);
    }
  }
}

describe.skipIf(!hasCorpus)('`orch config` against the spec-derived reference (awesome-compose)', () => {
  const files = corpusFiles();
  it.each(files.map((f) => [f.name, f] as const))('%s', async (_n, f) => {
    const r = await loadProject(
      { cwd: dirname(f.file), files: [f.file], env: ENV },
      memoryFs({ [f.file]: f.text }),
    );
    const cfg = toComposeCanonical(r.project) as Json;
    expect(() => stringify(cfg)).not.toThrow();
    compareWithReference(f.text, f.file, cfg);
  });
});

const TOP_LEVEL = new Set([
  'services',
  'networks',
  'volumes',
  'configs',
  'secrets',
  'name',
  'version',
  'include',
  'models',
]);

function isServiceFragment(block: string): boolean {
  let doc: unknown;
  try {
    doc = parse(block, { logLevel: 'error' });
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const keys = Object.keys(doc);
  return keys.length > 0 && keys.every((k) => !TOP_LEVEL.has(k) && !k.startsWith('x-'));
}

function asService(block: string): string {
  const body = block
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const image = /^(image|build):/m.test(block) ? '' : '    image: busybox\n';
  return `services:\n  example:\n${image}${body}\n`;
}

/** Every yaml block of the spec's own documents, each as a file of its own. */
function specExamples(): { name: string; file: string; text: string }[] {
  if (!existsSync(specDocs)) return [];
  return readdirSync(specDocs)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .flatMap((doc) => {
      const md = readFileSync(join(specDocs, doc), 'utf8');
      const blocks = [...md.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
      return blocks.map((block, i) => {
        // Most examples are a fragment of one service (`ports:`, `healthcheck:`...): run those as
        // the body of a service, so the normalizer sees every form the spec shows.
        const text = isServiceFragment(block) ? asService(block) : block;
        return { name: `${doc}#${i + 1}`, file: `/spec/${doc}-${i + 1}/compose.yaml`, text };
      });
    });
}

describe.skipIf(!existsSync(specDocs))('compose-spec examples (../shared/corpus/compose-spec/spec)', () => {
  const examples = specExamples();
  it('finds the examples', () => expect(examples.length).toBeGreaterThan(150));
  it.each(examples.map((e) => [e.name, e] as const))(
    '%s: loads or is refused with file:line, never crashes',
    async (_n, e) => {
      let cfg: Json | undefined;
      try {
        const r = await loadProject(
          { cwd: dirname(e.file), files: [e.file], env: ENV },
          memoryFs({ [e.file]: e.text }),
        );
        cfg = toComposeCanonical(r.project) as Json;
      } catch (err) {
        // A fragment (no services, a key that needs other files) is a project-file error: exit 2.
        expect(err).toBeInstanceOf(OrchError);
        const d = (err as OrchError).diagnostics;
        expect((err as OrchError).code).toBe('PROJECT_INVALID');
        expect(d.length).toBeGreaterThan(0);
        for (const x of d) expect(x.file).toBe(e.file);
        return;
      }
      expect(() => stringify(cfg)).not.toThrow();
      // `!reset`/`!override` only mean something across files (yaml-merge.test.ts covers them).
      if (/!reset|!override/.test(e.text)) return;
      compareWithReference(e.text, e.file, cfg);
    },
  );
});
