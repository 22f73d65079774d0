import { dirname, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { SourcePos } from '../model/project.js';
import { envFileLookup } from './env.js';
import { applyExtends } from './extends.js';
import type { FileLoader } from './file-loader.js';
import type { Lookup } from './interpolate.js';
import { isRecord, mergeFiles, type Located } from './merge.js';
import { keyPos, posNode, valuePos, type PosNode, type Segment } from './positions.js';
import { resolveFilePaths } from './relative-paths.js';

/** Top-level sections `include` copies into the including model. */
const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** One `include:` entry being followed: who includes what, written where. */
export interface IncludeFrame {
  readonly file: string;
  readonly at: SourcePos;
}

interface Entry {
  readonly paths: string[];
  readonly projectDirectory: string;
  readonly envFiles: string[] | undefined;
  readonly at: SourcePos;
}

/**
 * `include:` per the Compose Specification: each entry is loaded as its own project (its own
 * project directory for relative paths, its own `.env` or `env_file` for defaults that the
 * including project's environment overrides), `path` lists are merged, `include` and `extends`
 * inside apply recursively, and the resources are copied in. A name also defined locally is an
 * error unless both definitions are identical (what `docker compose` does). Cycles are reported at
 * each `include` entry that forms them.
 */
export async function applyInclude(
  tree: Located,
  file: string,
  workingDir: string,
  loader: FileLoader,
  lookup: Lookup,
  stack: readonly IncludeFrame[] = [],
): Promise<Located> {
  if (!isRecord(tree.v) || !Array.isArray(tree.v['include'])) return tree;
  const entries = tree.v['include'].map((raw, i) => entry(raw, i, tree.p, workingDir));
  let out = dropInclude(tree);
  for (const e of entries) {
    const frame = { file, at: e.at };
    const loop = e.paths.find((p) => p === file || stack.some((f) => f.file === p));
    if (loop !== undefined) {
      const from = loop === file ? stack.length : stack.findIndex((f) => f.file === loop);
      reportCycle(loader, [...stack.slice(from), frame]);
      continue;
    }
    const included = await loadEntry(e, loader, lookup, [...stack, frame]);
    if (included) out = importResources(out, included, loader);
  }
  return out;
}

function entry(raw: unknown, i: number, p: PosNode, workingDir: string): Entry {
  const spec = isRecord(raw) ? raw : { path: raw };
  const list = (v: unknown) =>
    v === undefined || v === null ? undefined : (Array.isArray(v) ? v : [v]).map(String);
  const paths = (list(spec['path']) ?? []).map((x) => resolve(workingDir, x));
  const pd = spec['project_directory'];
  return {
    paths,
    projectDirectory: typeof pd === 'string' ? resolve(workingDir, pd) : dirname(paths[0] ?? workingDir),
    envFiles: list(spec['env_file'])?.map((x) => resolve(workingDir, x)),
    at: valuePos(p, ['include', i]),
  };
}

async function loadEntry(
  e: Entry,
  loader: FileLoader,
  parent: Lookup,
  stack: readonly IncludeFrame[],
): Promise<Located | undefined> {
  const envFiles = e.envFiles ?? [resolve(e.projectDirectory, '.env')];
  const own = await envFileLookup(envFiles, e.envFiles !== undefined, loader.fs, loader.diags, parent, e.at);
  // The including project's environment wins over the included one's env files.
  const lookup: Lookup = (n) => parent(n) ?? own(n);
  let merged: Located | undefined;
  for (const path of e.paths) {
    const one = await loader.load(path, lookup);
    if (one === null) {
      loader.diags.error(
        e.at,
        `included file ${path} does not exist`,
        undefined,
        'check the `include` path; it is relative to the including project directory',
      );
      return undefined;
    }
    if (!one) return undefined;
    const extended = await applyExtends(one, path, loader, lookup);
    const done = await applyInclude(extended, path, e.projectDirectory, loader, lookup, stack);
    merged = merged ? mergeFiles(merged, done) : done;
  }
  if (!merged || !isRecord(merged.v)) return undefined;
  return { v: resolveFilePaths(merged.v, e.projectDirectory), p: merged.p };
}

function importResources(local: Located, included: Located, loader: FileLoader): Located {
  const v = { ...(local.v as Record<string, unknown>) };
  const p = posNode(local.p.pos, local.p.keyPos);
  for (const [k, n] of local.p.children) p.children.set(k, n);
  const inc = included.v as Record<string, unknown>;
  for (const section of RESOURCES) {
    const theirs = inc[section];
    if (!isRecord(theirs)) continue;
    const ours = isRecord(v[section]) ? { ...v[section] } : {};
    const oursPos = p.children.get(section);
    const sectionPos = posNode(oursPos?.pos ?? local.p.pos, oursPos?.keyPos);
    for (const [k, n] of oursPos?.children ?? []) sectionPos.children.set(k, n);
    const theirPos = included.p.children.get(section);
    for (const [name, def] of Object.entries(theirs)) {
      const there = theirPos?.children.get(name);
      if (name in ours) {
        if (isDeepStrictEqual(ours[name], def)) continue;
        const path: Segment[] = [section, name];
        const where = there ? loader.where(there.keyPos ?? there.pos) : 'an included file';
        loader.diags.error(
          keyPos(local.p, path),
          `\`${section}.${name}\` conflicts with imported resource (${where})`,
          path,
          'rename one of them, or drop it from this file and use the included one',
        );
        continue;
      }
      ours[name] = def;
      if (there) sectionPos.children.set(name, there);
    }
    v[section] = ours;
    p.children.set(section, sectionPos);
  }
  return { v, p };
}

function dropInclude(tree: Located): Located {
  const { include: _gone, ...v } = tree.v as Record<string, unknown>;
  const p = posNode(tree.p.pos, tree.p.keyPos);
  for (const [k, n] of tree.p.children) if (k !== 'include') p.children.set(k, n);
  return { ...tree, v, p };
}

function reportCycle(loader: FileLoader, cycle: readonly IncludeFrame[]): void {
  if (
    !loader.firstReport(
      'include',
      cycle.map((f) => f.file),
    )
  )
    return;
  const chain = cycle.map((f) => loader.where(f.at)).join(' → ');
  const back = relative(loader.root, cycle[0]?.file ?? '') || cycle[0]?.file;
  for (const f of cycle) {
    loader.diags.error(
      f.at,
      `\`include\` cycle: ${chain} → back to ${back}`,
      undefined,
      'remove one of these include entries',
    );
  }
}
