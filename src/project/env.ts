import { dirname, resolve } from 'node:path';
import { parseDotenv } from './dotenv.js';
import type { Diags } from './diagnostics.js';
import type { ProjectFs } from './fs.js';
import type { Lookup } from './interpolate.js';

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
  const fromFiles = new Map<string, string>();
  const explicit = opts.envFiles && opts.envFiles.length > 0;
  const files = explicit
    ? (opts.envFiles ?? []).map((f) => resolve(opts.cwd, f))
    : [resolve(dirname(firstFile), '.env')];
  const processEnv: Lookup = (n) => opts.env[n];
  for (const file of files) {
    const text = await fs.readText(file);
    if (text === undefined) {
      if (explicit) diags.error({ file, line: 0, col: 0 }, `env file ${file} not found`);
      continue;
    }
    const parsed = parseDotenv(text, (n) => processEnv(n) ?? fromFiles.get(n));
    for (const e of parsed.errors) diags.error({ file, line: e.line, col: 1 }, e.message);
    for (const e of parsed.entries) if (e.value !== undefined) fromFiles.set(e.key, e.value);
  }
  return (n) => processEnv(n) ?? fromFiles.get(n);
}
