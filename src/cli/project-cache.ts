import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { discoverFiles } from '../project/discover.js';
import type { ProjectFs } from '../project/fs.js';
import type { LoadOptions, LoadResult } from '../project/load.js';

/**
 * The resolved project of the last load, kept in `<project dir>/.orch/.cache/` with what it was
 * made from: the text of every file the loader read (project files, .env, env_file...), what it
 * found missing, and the environment variables it looked up. When all of those are unchanged the
 * model is reused as is: no YAML parse, no schema check (yaml and ajv are not even loaded), which
 * is most of `orch ps`'s start-up. Anything changed, unreadable or unexpected: a normal load.
 * Safe to delete at any time. The file holds interpolated values, so only its owner may read it.
 */
export interface CachedLoad {
  readonly key: string;
  readonly inputs: Inputs;
  readonly result: LoadResult;
}

interface Inputs {
  /** path → sha256 of its text, or null when the loader found no such file. */
  readonly texts: Record<string, string | null>;
  readonly isFile: Record<string, boolean>;
  /** variable → sha256 of its value, or null when unset (values are not written down). */
  readonly env: Record<string, string | null>;
  /** The loader enumerated the whole environment: its digest stands for all of it. */
  readonly envAll?: string;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Bumped when the model's shape changes; the build's own time covers changes between releases. */
const FORMAT = 1;

async function buildStamp(): Promise<string> {
  const here = new URL('.', import.meta.url);
  const pkg = JSON.parse(await readFile(new URL('../../package.json', here), 'utf8')) as { version: string };
  // Every build rewrites the loader: a rebuilt orch never trusts a model an older build made.
  const loader = await stat(new URL('../project/load.js', here)).catch(() => undefined);
  return `${FORMAT}:${pkg.version}:${loader?.mtimeMs ?? 0}`;
}

function keyOf(opts: LoadOptions, stamp: string): string {
  const { cwd, files, projectName, envFiles, profiles } = opts;
  return sha(JSON.stringify({ stamp, cwd, files, projectName, envFiles, profiles }));
}

async function unchanged(inputs: Inputs, opts: LoadOptions, fs: ProjectFs): Promise<boolean> {
  if (inputs.envAll !== undefined && inputs.envAll !== envDigest(opts.env)) return false;
  for (const [name, digest] of Object.entries(inputs.env)) {
    const v = opts.env[name];
    if ((v === undefined ? null : sha(v)) !== digest) return false;
  }
  const checks = [
    ...Object.entries(inputs.texts).map(async ([path, digest]) => {
      const text = await fs.readText(path);
      return (text === undefined ? null : sha(text)) === digest;
    }),
    ...Object.entries(inputs.isFile).map(async ([path, was]) => (await fs.isFile(path)) === was),
  ];
  return (await Promise.all(checks)).every(Boolean);
}

function envDigest(env: LoadOptions['env']): string {
  return sha(JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** A ProjectFs and environment that write down everything the loader reads. */
function recording(
  opts: LoadOptions,
  fs: ProjectFs,
): { opts: LoadOptions; fs: ProjectFs; inputs: () => Inputs } {
  const texts: Record<string, string | null> = {};
  const isFile: Record<string, boolean> = {};
  const env: Record<string, string | null> = {};
  let envAll: string | undefined;
  const rfs: ProjectFs = {
    async readText(path) {
      const text = await fs.readText(path);
      texts[path] = text === undefined ? null : sha(text);
      return text;
    },
    async isFile(path) {
      const found = await fs.isFile(path);
      isFile[path] = found;
      return found;
    },
  };
  const renv = new Proxy(opts.env, {
    get(target, name, receiver) {
      const v: unknown = Reflect.get(target, name, receiver);
      if (typeof name === 'string') env[name] = typeof v === 'string' ? sha(v) : null;
      return v;
    },
    ownKeys(target) {
      envAll = envDigest(opts.env);
      return Reflect.ownKeys(target);
    },
  });
  return {
    opts: { ...opts, env: renv },
    fs: rfs,
    inputs: () => ({ texts, isFile, env, ...(envAll !== undefined ? { envAll } : {}) }),
  };
}

/** The cached model when it is still good; undefined otherwise (a normal load must say why). */
export async function cachedLoad(opts: LoadOptions, fs: ProjectFs): Promise<LoadResult | undefined> {
  try {
    const files = await discoverFiles(opts.cwd, opts.files, fs);
    const key = keyOf(opts, await buildStamp());
    const cached = JSON.parse(await readFile(cacheFile(files, opts, key), 'utf8')) as CachedLoad;
    if (cached.key === key && (await unchanged(cached.inputs, opts, fs))) return cached.result;
  } catch {
    // No project file, no cache yet, or an unreadable one.
  }
  return undefined;
}

function cacheFile(files: readonly string[], opts: LoadOptions, key: string): string {
  return join(dirname(files[0] ?? opts.cwd), '.orch', '.cache', `model-${key.slice(0, 16)}.json`);
}

/**
 * Loads the project, from the cache when nothing it was made from changed. `load` is the real
 * loader (imported by the caller only when needed, with yaml and ajv behind it).
 */
export async function loadWithCache(
  opts: LoadOptions,
  fs: ProjectFs,
  load: (opts: LoadOptions, fs: ProjectFs) => Promise<LoadResult>,
): Promise<LoadResult> {
  const hit = await cachedLoad(opts, fs);
  if (hit) return hit;
  const rec = recording(opts, fs);
  const result = await load(rec.opts, rec.fs);
  // Where the loader found the project (it has said so, had it found none).
  const files = await discoverFiles(opts.cwd, opts.files, fs);
  const key = keyOf(opts, await buildStamp());
  await save(cacheFile(files, opts, key), { key, inputs: rec.inputs(), result });
  return result;
}

async function save(file: string, entry: CachedLoad): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    await rename(tmp, file);
  } catch {
    // A read-only project folder only costs the next command a full load.
  }
}
