import { dirname, resolve } from 'node:path';
import { parseDotenv } from './dotenv.js';
import type { Diags } from './diagnostics.js';
import type { ProjectFs } from './fs.js';
import type { Lookup } from './interpolate.js';
import type { SourcePos } from '../model/project.js';

/**
 * The interpolation environment: the process environment first, then `.env` beside the first
 * project file, or the `--env-file` files instead (later files override earlier ones).
 */
export async function interpolationEnv(
  opts: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    envFiles?: readonly string[] | undefined;
  },
  firstFile: string,
  fs: ProjectFs,
  diags: Diags,
): Promise<Lookup> {
  const explicit = opts.envFiles !== undefined && opts.envFiles.length > 0;
  const files = explicit
    ? (opts.envFiles ?? []).map((f) => resolve(opts.cwd, f))
    : [resolve(dirname(firstFile), '.env')];
  const processEnv: Lookup = (n) => opts.env[n];
  const fromFiles = await envFileLookup(files, explicit, fs, diags, processEnv);
  return (n) => processEnv(n) ?? fromFiles(n);
}

/**
 * The variables the env files define (later files override earlier ones); a missing file is an
 * error only when `required` (named explicitly). `outer` is consulted first inside the files'
 * own `${VAR}` references.
 */
export async function envFileLookup(
  files: readonly string[],
  required: boolean,
  fs: ProjectFs,
  diags: Diags,
  outer: Lookup = () => undefined,
  /** Where a missing required file is reported (default: the file itself). */
  namedAt?: SourcePos,
): Promise<Lookup> {
  const fromFiles = new Map<string, string>();
  for (const file of files) {
    const text = await fs.readText(file);
    if (text === undefined) {
      if (required) diags.error(namedAt ?? { file, line: 0, col: 0 }, `env file ${file} not found`);
      continue;
    }
    const parsed = parseDotenv(text, (n) => outer(n) ?? fromFiles.get(n));
    for (const e of parsed.errors) diags.error({ file, line: e.line, col: 1 }, e.message);
    for (const e of parsed.entries) if (e.value !== undefined) fromFiles.set(e.key, e.value);
  }
  return (n) => fromFiles.get(n);
}
