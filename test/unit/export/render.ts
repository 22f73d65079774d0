import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeProjectFs } from '../../../src/adapters/fs.js';
import { exportInput } from '../../../src/cli/export.js';
import {
  assertValid,
  oneShotServices,
  toComposeForEngine,
  toKubernetes,
  toSwarmStack,
  type ExportWarning,
} from '../../../src/core/export/index.js';
import type { Project } from '../../../src/model/project.js';
import { loadProject, toComposeCanonical } from '../../../src/project/index.js';
import { makeStyle } from '../../../src/ui/style.js';
import { renderExportWarnings, yamlDocument, yamlStream } from '../../../src/ui/export-view.js';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const corpusDir = resolve(repo, '../shared/corpus/awesome-compose');
export const goldenDir = join(repo, 'test/fixtures/export');

/** The corpus's compose files, by directory name (none when ../shared is absent). */
export function corpusFiles(): { name: string; file: string }[] {
  if (!existsSync(corpusDir)) return [];
  return readdirSync(corpusDir)
    .sort()
    .flatMap((d) => ['compose.yaml', 'compose.yml'].map((f) => ({ name: d, file: join(corpusDir, d, f) })))
    .filter((f) => existsSync(f.file));
}

export async function load(file: string): Promise<Project> {
  return (await loadProject({ cwd: dirname(file), files: [file], env: {} }, nodeProjectFs)).project;
}

const plain = makeStyle(false);
const warningsText = (target: string, w: readonly ExportWarning[]) =>
  w.length ? `${renderExportWarnings(target, w, plain)}\n` : '';

/** What the three exports print for a project (stdout then stderr), machine paths replaced. */
export async function renderAll(project: Project, base: string): Promise<Record<string, string>> {
  const input = await exportInput(project);
  const k8s = toKubernetes(input);
  assertValid(k8s.objects);
  const swarm = toSwarmStack(input, { image: 'orch-gateway:VERSION' }, oneShotServices(project));
  const compose = toComposeForEngine(toComposeCanonical(project), project);
  const scrub = (s: string) => s.split(base).join('<dir>');
  return {
    'kubernetes.yaml': scrub(
      yamlStream(k8s.objects) + '# stderr:\n' + comment(warningsText('kubernetes', k8s.warnings)),
    ),
    'swarm.yaml': scrub(
      yamlDocument(swarm.doc) + '# stderr:\n' + comment(warningsText('swarm', swarm.warnings)),
    ),
    'compose.yaml': scrub(
      yamlDocument(compose.doc) + '# stderr:\n' + comment(warningsText('compose', compose.warnings)),
    ),
  };
}

function comment(text: string): string {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => `# ${l}\n`)
    .join('');
}
