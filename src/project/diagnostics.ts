import type { Diagnostic } from '../errors/index.js';
import type { SourcePos } from '../model/project.js';
import { dotted, keyPos, valuePos, type KeyPath, type PosNode } from './positions.js';

/** Collects problems so the loader can report all of them at once. */
export class Diags {
  readonly list: Diagnostic[] = [];

  add(severity: Diagnostic['severity'], pos: SourcePos, message: string, key?: KeyPath, hint?: string): void {
    this.list.push({
      severity,
      file: pos.file,
      line: pos.line,
      col: pos.col,
      ...(key && key.length > 0 ? { key: dotted(key) } : {}),
      message,
      ...(hint ? { hint } : {}),
    });
  }

  error(pos: SourcePos, message: string, key?: KeyPath, hint?: string): void {
    this.add('error', pos, message, key, hint);
  }

  warn(pos: SourcePos, message: string, key?: KeyPath, hint?: string): void {
    this.add('warning', pos, message, key, hint);
  }

  get errors(): Diagnostic[] {
    return this.list.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.list.filter((d) => d.severity === 'warning');
  }
}

/** Diagnostics pinned to paths in one positioned tree. */
export class PathReporter {
  constructor(
    readonly diags: Diags,
    readonly positions: PosNode,
  ) {}

  error(path: KeyPath, message: string, hint?: string): void {
    this.diags.error(valuePos(this.positions, path), message, path, hint);
  }

  errorAtKey(path: KeyPath, message: string, hint?: string): void {
    this.diags.error(keyPos(this.positions, path), message, path, hint);
  }

  warnAtKey(path: KeyPath, message: string, hint?: string): void {
    this.diags.warn(keyPos(this.positions, path), message, path, hint);
  }

  pos(path: KeyPath): SourcePos {
    return valuePos(this.positions, path);
  }
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const c = closest(word, candidates);
  return c ? `did you mean \`${c}\`?` : undefined;
}
