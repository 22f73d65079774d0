import { OrchError, type Diagnostic } from '../../../src/errors/index.js';
import { loadProject, memoryFs, type LoadOptions, type LoadResult } from '../../../src/project/index.js';

export const DIR = '/proj';
export const FILE = '/proj/compose.yaml';

/** Loads `yaml` as /proj/compose.yaml (plus any extra files) and returns the result or the diagnostics. */
export async function load(
  yaml: string,
  opts: Partial<LoadOptions> = {},
  extra: Record<string, string> = {},
): Promise<{ result?: LoadResult; errors: Diagnostic[]; warnings: Diagnostic[] }> {
  try {
    const result = await loadProject({ cwd: DIR, env: {}, ...opts }, memoryFs({ [FILE]: yaml, ...extra }));
    return { result, errors: [], warnings: [...result.warnings] };
  } catch (err) {
    if (!(err instanceof OrchError)) throw err;
    return {
      errors: err.diagnostics.filter((d) => d.severity === 'error'),
      warnings: err.diagnostics.filter((d) => d.severity === 'warning'),
    };
  }
}

export async function project(
  yaml: string,
  opts: Partial<LoadOptions> = {},
  extra: Record<string, string> = {},
) {
  const r = await load(yaml, opts, extra);
  if (!r.result)
    throw new Error(
      `unexpected errors:\n${r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n')}`,
    );
  return r.result.project;
}

export const where = (d: Diagnostic) => `${d.line}:${d.col}`;
