import { relative } from 'node:path';
import { OrchError } from '../errors/index.js';
import type { SourcePos } from '../model/project.js';
import { PathReporter, type Diags } from './diagnostics.js';
import type { ProjectFs } from './fs.js';
import { interpolate, mapStrings, type Lookup } from './interpolate.js';
import { isRecord, type Located } from './merge.js';
import { parseYaml } from './parse.js';
import { valuePos } from './positions.js';
import { warnUnsupported } from './unsupported.js';
import { checkSchema } from './validate-schema.js';

/**
 * Reads each project file once per interpolation environment (a file reached both by `extends`
 * and by `include` with another `.env` interpolates differently) and keeps the result.
 */
export class FileLoader {
  private readonly cache = new WeakMap<Lookup, Map<string, Promise<Located | undefined | null>>>();

  /** Cycles already reported (by their members), so one met again from another file is not repeated. */
  private readonly cycles = new Set<string>();

  constructor(
    readonly fs: ProjectFs,
    readonly diags: Diags,
    /** The project directory: file names in messages are shown relative to it. */
    readonly root: string,
  ) {}

  /** `file:line` as messages show it. */
  where(pos: SourcePos): string {
    return `${relative(this.root, pos.file) || pos.file}:${pos.line}`;
  }

  /** True the first time a cycle with these members is seen. */
  firstReport(kind: string, members: readonly string[]): boolean {
    const sig = `${kind}\n${[...members].sort().join('\n')}`;
    if (this.cycles.has(sig)) return false;
    this.cycles.add(sig);
    return true;
  }

  /** The file parsed, checked and interpolated; `null` when it does not exist, undefined when broken. */
  load(file: string, lookup: Lookup): Promise<Located | undefined | null> {
    let byFile = this.cache.get(lookup);
    if (!byFile) this.cache.set(lookup, (byFile = new Map()));
    let entry = byFile.get(file);
    if (!entry) {
      entry = this.fs
        .readText(file)
        .then((text) => (text === undefined ? null : loadText(file, text, lookup, this.diags)));
      byFile.set(file, entry);
    }
    return entry;
  }

  /** Like `load`, for files the user named: a missing one is PROJECT_NOT_FOUND. */
  async loadNamed(file: string, lookup: Lookup): Promise<Located | undefined> {
    const one = await this.load(file, lookup);
    if (one === null) {
      throw new OrchError('PROJECT_NOT_FOUND', `project file ${file} does not exist`, {
        hint: 'check the -f/--file path',
      });
    }
    return one;
  }
}

/** One file: parse, schema-check the raw text (as compose does), warn, then interpolate. */
function loadText(file: string, text: string, lookup: Lookup, diags: Diags): Located | undefined {
  const parsed = parseYaml(file, text);
  diags.list.push(...parsed.diagnostics);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const r = new PathReporter(diags, parsed.positions);
  const empty = parsed.value === null || parsed.value === undefined;
  if (empty || (isRecord(parsed.value) && Object.keys(parsed.value).length === 0)) {
    r.error([], 'empty compose file', 'declare at least one service under `services:`');
    return undefined;
  }
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
  return { v: value, p: parsed.positions, resets: parsed.resets };
}
