import { posix, relative, sep } from 'node:path';
import type { ServiceSpec, WatchRule } from '../../model/project.js';
import { compilePatterns, type Patterns } from '../ignore-patterns.js';

/** Never worth an action: version control, dependencies, orch's own state (.orch: the supervisor's
 * log would trigger itself), and the files editors save through. */
const IGNORED_DIRS = new Set(['.git', 'node_modules', '.orch']);
const EDITOR_TEMP = [
  /^\..*\.sw[a-p]$/, // vim swap
  /\.sw[px]$/,
  /~$/, // backups
  /^4913$/, // vim's write test
  /^\.#/, // emacs lock
  /^#.*#$/, // emacs autosave
  /___jb_(?:tmp|old)___$/, // JetBrains safe write
  /^\.~lock\..*#$/, // LibreOffice
  /^\.DS_Store$/,
];

/** Whether a path is ignored whatever the rules say (checked on every segment below a rule). */
export function defaultIgnored(rel: string): boolean {
  const segs = rel.split('/').filter(Boolean);
  if (segs.some((s) => IGNORED_DIRS.has(s))) return true;
  const base = segs[segs.length - 1] ?? '';
  return EDITOR_TEMP.some((re) => re.test(base));
}

export interface CompiledRule {
  readonly service: string;
  readonly index: number;
  readonly rule: WatchRule;
  readonly ignore: Patterns;
  readonly include?: Patterns;
  /** Build context and its `.dockerignore`, for rebuild rules. */
  readonly context?: { readonly dir: string; readonly patterns: Patterns };
}

export function compileRule(
  service: ServiceSpec,
  index: number,
  rule: WatchRule,
  dockerignore?: readonly string[],
): CompiledRule {
  const context =
    rule.action === 'rebuild' && service.build && dockerignore
      ? { dir: service.build.context, patterns: compilePatterns(dockerignore) }
      : undefined;
  return {
    service: service.name,
    index,
    // A host process reads its files where they are: nothing to sync into, no image to rebuild;
    // what a change asks of it is a restart.
    rule: service.orch.process ? { ...rule, action: 'restart' } : rule,
    ignore: compilePatterns(rule.ignore),
    ...(rule.include ? { include: compilePatterns(rule.include) } : {}),
    ...(context ? { context } : {}),
  };
}

/** `child` relative to `root` in posix form, or undefined when it is not inside (or is) root. */
export function relativeInside(root: string, child: string): string | undefined {
  const rel = relative(root, child);
  if (rel === '') return '';
  if (rel.startsWith('..') || rel.startsWith(sep) || /^[a-zA-Z]:/.test(rel)) return undefined;
  return rel.split(sep).join(posix.sep);
}

/**
 * The path relative to the rule when the rule applies to it, else undefined. A rule on a single
 * file answers '' for that file. Patterns are relative to the rule's path (compose's semantics).
 */
export function matchRule(c: CompiledRule, path: string): string | undefined {
  const rel = relativeInside(c.rule.path, path);
  if (rel === undefined) return undefined;
  const subject = rel === '' ? posix.basename(path.split(sep).join('/')) : rel;
  if (defaultIgnored(subject)) return undefined;
  if (rel !== '' && c.ignore.matches(rel)) return undefined;
  if (c.include && rel !== '' && !c.include.matches(rel)) return undefined;
  if (c.context) {
    const inContext = relativeInside(c.context.dir, path);
    if (inContext !== undefined && inContext !== '' && c.context.patterns.matches(inContext))
      return undefined;
  }
  return rel;
}

/** Whether anything below `path` could match: lets the watcher skip whole ignored trees. */
export function prunable(rules: readonly CompiledRule[], path: string): boolean {
  for (const c of rules) {
    const rel = relativeInside(c.rule.path, path);
    if (rel === undefined) {
      // An ancestor of a rule's path must be walked to reach it.
      if (relativeInside(path, c.rule.path) !== undefined) return false;
      continue;
    }
    if (rel === '') return false;
    if (defaultIgnored(rel)) continue;
    // Include patterns are judged on files: a directory may hold a file they match.
    if (!c.ignore.matches(rel)) return false;
  }
  return true;
}

export interface RuleHit {
  readonly rule: CompiledRule;
  readonly rel: string;
}

/** Per service, the first rule (in file order) that applies to the path. */
export function route(rules: readonly CompiledRule[], path: string): RuleHit[] {
  const hits: RuleHit[] = [];
  const served = new Set<string>();
  for (const c of rules) {
    if (served.has(c.service)) continue;
    const rel = matchRule(c, path);
    if (rel === undefined) continue;
    served.add(c.service);
    hits.push({ rule: c, rel });
  }
  return hits;
}
