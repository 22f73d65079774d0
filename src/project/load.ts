import { dirname } from 'node:path';
import { OrchError, type Diagnostic } from '../errors/index.js';
import type { Project } from '../model/project.js';
import { checkProject } from './checks.js';
import { Diags, PathReporter } from './diagnostics.js';
import { defaultProjectName, discoverFiles, normalizeProjectName } from './discover.js';
import { interpolationEnv } from './env.js';
import type { ProjectFs } from './fs.js';
import { interpolate, mapStrings, type Lookup } from './interpolate.js';
import { isRecord, mergeFiles, type Located } from './merge.js';
import { normalizeProject } from './normalize/project.js';
import { parseYaml } from './parse.js';
import { valuePos } from './positions.js';
import { warnUnsupported } from './unsupported.js';
import { checkSchema } from './validate-schema.js';

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
  const diags = new Diags();
  const lookup = await interpolationEnv(opts, first, fs, diags);
  const located: Located[] = [];
  for (const file of files) {
    const text = await fs.readText(file);
    if (text === undefined) {
      throw new OrchError('PROJECT_NOT_FOUND', `project file ${file} does not exist`, {
        hint: 'check the -f/--file path',
      });
    }
    const one = loadFile(file, text, lookup, diags);
    if (one) located.push(one);
  }
  const merged = located.length > 0 ? located.reduce((a, b) => mergeFiles(a, b)) : undefined;
  let normalized: Awaited<ReturnType<typeof normalizeProject>> | undefined;
  if (merged && isRecord(merged.v)) {
    const projectDir = dirname(first);
    const declaredName = typeof merged.v['name'] === 'string' ? merged.v['name'] : undefined;
    const name = normalizeProjectName(opts.projectName ?? declaredName ?? defaultProjectName(projectDir));
    const r = new PathReporter(diags, merged.p);
    if (name === '') r.error(['name'], 'the project name is empty after keeping only a-z, 0-9, _ and -');
    const ctx = { r, projectDir, projectName: name, lookup };
    const profiles = opts.profiles?.length
      ? opts.profiles
      : (lookup('COMPOSE_PROFILES') ?? '').split(',').filter(Boolean);
    try {
      normalized = await normalizeProject(ctx, fs, merged.v, { files, profiles });
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

/** One file: parse, schema-check the raw text (as compose does), warn, then interpolate. */
function loadFile(file: string, text: string, lookup: Lookup, diags: Diags): Located | undefined {
  const parsed = parseYaml(file, text);
  diags.list.push(...parsed.diagnostics);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const r = new PathReporter(diags, parsed.positions);
  if (!isRecord(parsed.value)) {
    r.error([], 'a project file must be a mapping with `services:`');
    return undefined;
  }
  checkSchema(parsed.value, r);
  warnUnsupported(parsed.value, r);
  const value = mapStrings(parsed.value, (s, path) => {
    const res = interpolate(s, lookup);
    for (const issue of res.issues) {
      const pos = valuePos(parsed.positions, path);
      if (issue.kind === 'unset') diags.warn(pos, issue.message, path);
      else diags.error(pos, issue.message, path);
    }
    return res.value;
  });
  return { v: value, p: parsed.positions };
}

function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}
