import { posix } from 'node:path';
import type { WatchAction } from '../../model/project.js';
import type { ExecResult } from '../ports.js';
import type { FsChangeKind, HostFilesPort } from './ports.js';
import { matchRule, prunable, type CompiledRule } from './match.js';

/** What the watch actions act on: the session's replicas and the engine, narrowed to this. */
export interface WatchTargets {
  /** The service's running replicas, now. */
  replicas(service: string): readonly { readonly id: string; readonly name: string }[];
  copy(
    id: string,
    files: readonly { path: string; content: Buffer; mode: number }[],
    deletions: readonly string[],
  ): Promise<void>;
  exec(id: string, cmd: readonly string[]): Promise<ExecResult>;
  /** Restarts the service's replicas one at a time, each healthy before the next. */
  restart(service: string, signal: AbortSignal): Promise<void>;
  /** Builds the service's image and rolls its replicas onto it; resolves with a summary. */
  rebuild(service: string, signal: AbortSignal): Promise<string>;
}

export interface ChangedPath {
  readonly path: string;
  readonly rel: string;
  readonly kind: FsChangeKind;
}

/** The last thing that happened to each path in a burst: a save then a delete is a delete. */
export function coalesce(changes: readonly ChangedPath[]): ChangedPath[] {
  const last = new Map<string, ChangedPath>();
  for (const c of changes) {
    last.delete(c.path);
    last.set(c.path, c);
  }
  return [...last.values()];
}

/** Runs one rule's action for one burst of changes; resolves with what was done, or throws why not. */
export async function runAction(
  rule: CompiledRule,
  changes: readonly ChangedPath[],
  targets: WatchTargets,
  files: HostFilesPort,
  signal: AbortSignal,
): Promise<string> {
  const action: WatchAction = rule.rule.action;
  switch (action) {
    case 'sync':
      return await sync(rule, changes, targets, files);
    case 'sync+restart': {
      const did = await sync(rule, changes, targets, files);
      await targets.restart(rule.service, signal);
      return `${did}, restarted`;
    }
    case 'sync+exec': {
      const did = await sync(rule, changes, targets, files);
      return `${did}, ${await execAll(rule, targets)}`;
    }
    case 'restart':
      await targets.restart(rule.service, signal);
      return 'restarted';
    case 'rebuild':
      return await targets.rebuild(rule.service, signal);
    default: {
      const never: never = action;
      throw new Error(`unknown watch action ${String(never)}`);
    }
  }
}

async function sync(
  rule: CompiledRule,
  changes: readonly ChangedPath[],
  targets: WatchTargets,
  files: HostFilesPort,
): Promise<string> {
  const base = rule.rule.target;
  if (base === undefined) throw new Error(`a ${rule.rule.action} rule needs a \`target\``);
  const copies: { path: string; content: Buffer; mode: number }[] = [];
  const deletions: string[] = [];
  for (const c of coalesce(changes)) {
    const target = c.rel === '' ? base : posix.join(base, c.rel);
    if (c.kind === 'addDir') continue; // its files arrive as their own changes
    if (c.kind === 'unlink' || c.kind === 'unlinkDir') {
      deletions.push(target);
      continue;
    }
    const file = await files.readFile(c.path);
    // Gone again since the event (an editor's temp dance): the container should not have it either.
    if (file) copies.push({ path: target, content: file.content, mode: file.mode });
    else deletions.push(target);
  }
  const replicas = targets.replicas(rule.service);
  if (replicas.length === 0) return 'no running replica to sync';
  await Promise.all(replicas.map((r) => targets.copy(r.id, copies, deletions)));
  const what = [
    copies.length > 0 ? `${copies.length} file${copies.length === 1 ? '' : 's'}` : '',
    deletions.length > 0 ? `${deletions.length} deletion${deletions.length === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' + ');
  return `synced ${what || 'nothing'} to ${replicas.length} replica${replicas.length === 1 ? '' : 's'}`;
}

async function execAll(rule: CompiledRule, targets: WatchTargets): Promise<string> {
  const cmd = rule.rule.exec;
  if (!cmd || cmd.length === 0) throw new Error('a sync+exec rule needs `exec.command`');
  const replicas = targets.replicas(rule.service);
  const results = await Promise.all(replicas.map(async (r) => ({ r, res: await targets.exec(r.id, cmd) })));
  const failed = results.find((x) => x.res.exitCode !== 0);
  if (failed)
    throw new Error(
      `\`${cmd.join(' ')}\` exited with ${failed.res.exitCode} in ${failed.r.name}: ${tail(failed.res.output)}`,
    );
  return `ran \`${cmd.join(' ')}\` in ${replicas.length} replica${replicas.length === 1 ? '' : 's'}`;
}

/** Every file a rule covers, for `initial_sync`. */
export async function initialChanges(rule: CompiledRule, files: HostFilesPort): Promise<ChangedPath[]> {
  const all = await files.listFiles(rule.rule.path, (p) => prunable([rule], p));
  return all.flatMap((path) => {
    const rel = matchRule(rule, path);
    return rel === undefined ? [] : [{ path, rel, kind: 'add' as const }];
  });
}

export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
