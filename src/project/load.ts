import { dirname } from 'node:path';
import { OrchError, type Diagnostic } from '../errors/index.js';
import type { Project } from '../model/project.js';
import { checkProject } from './checks.js';
import { Diags, PathReporter } from './diagnostics.js';
import { defaultProjectName, discoverFiles, normalizeProjectName } from './discover.js';
import { interpolationEnv } from './env.js';
import { applyExtends } from './extends.js';
import { FileLoader } from './file-loader.js';
import type { ProjectFs } from './fs.js';
import { applyInclude } from './include.js';
import { isRecord, mergeFiles, type Located } from './merge.js';
import { normalizeProject } from './normalize/project.js';

export interface LoadOptions {
  cwd: string;
  files?: readonly string[];
  projectName?: string;
  envFiles?: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  profiles?: readonly string[];
}

export interface LoadResult {
  project: Project;
  warnings: readonly Diagnostic[];
}

/**
 * Find, parse, check, interpolate, merge and normalize the project file(s). Throws one
 * PROJECT_INVALID listing every error found (warnings ride along), never just the first.
 */
export async function loadProject(opts: LoadOptions, fs: ProjectFs): Promise<LoadResult> {
  const files = await discoverFiles(opts.cwd, opts.files, fs);
  const first = files[0] ?? opts.cwd;
  const projectDir = dirname(first);
  const diags = new Diags();
  const lookup = await interpolationEnv(opts, first, fs, diags);
  const loader = new FileLoader(fs, diags, projectDir);
  const located: Located[] = [];
  for (const file of files) {
    const one = await loader.loadNamed(file, lookup);
    if (!one) continue;
    // Per file, as compose does: `extends` and `include` resolve before the files are merged.
    const extended = await applyExtends(one, file, loader, lookup);
    located.push(await applyInclude(extended, file, projectDir, loader, lookup));
  }
  const merged = located.length > 0 ? located.reduce((a, b) => mergeFiles(a, b)) : undefined;
  let normalized: Awaited<ReturnType<typeof normalizeProject>> | undefined;
  const raw = merged?.v;
  if (merged && isRecord(raw)) {
    const declaredName = typeof raw['name'] === 'string' ? raw['name'] : undefined;
    const name = normalizeProjectName(opts.projectName ?? declaredName ?? defaultProjectName(projectDir));
    const r = new PathReporter(diags, merged.p);
    if (name === '') r.error(['name'], 'the project name is empty after keeping only a-z, 0-9, _ and -');
    if (
      diags.errors.length === 0 &&
      !RESOURCES.some((k) => isRecord(raw[k]) && Object.keys(raw[k]).length > 0)
    ) {
      r.error(
        [],
        'empty compose file: no services (nor networks, volumes, secrets or configs)',
        'declare at least one service under `services:`',
      );
    }
    const ctx = { r, projectDir, projectName: name, lookup };
    const profiles = opts.profiles?.length
      ? opts.profiles
      : (lookup('COMPOSE_PROFILES') ?? '').split(',').filter(Boolean);
    try {
      normalized = await normalizeProject(ctx, fs, raw, { files, profiles });
      checkProject(normalized.project, normalized.services, r);
    } catch (err) {
      // A file that already failed the schema may trip the normalizer; its errors say why.
      if (diags.errors.length === 0) throw err;
    }
  }
  const errors = diags.errors;
  if (errors.length > 0 || !normalized) {
    const n = errors.length;
    throw new OrchError('PROJECT_INVALID', `${files.join(', ')}: ${n} problem${n === 1 ? '' : 's'} found`, {
      diagnostics: sortDiagnostics(diags.list),
    });
  }
  return { project: normalized.project, warnings: sortDiagnostics(diags.warnings) };
}

const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
