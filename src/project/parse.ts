import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { Diagnostic } from '../errors/index.js';
import type { SourcePos } from '../model/project.js';
import { aliasExpansion } from './aliases.js';
import { posNode, type KeyPath, type PosNode, type Segment } from './positions.js';

export interface ParsedFile {
  readonly file: string;
  readonly value: unknown;
  readonly positions: PosNode;
  readonly diagnostics: readonly Diagnostic[];
  /** Paths tagged `!reset` (already removed from `value`): the merge deletes them from earlier files. */
  readonly resets: readonly KeyPath[];
}

/** The merge tags of the Compose Specification; yaml leaves them unresolved, we act on them. */
const MERGE_TAGS = new Set(['!reset', '!override']);

/** YAML text → plain value plus a position for every key and value; syntax errors as diagnostics. */
export function parseYaml(file: string, text: string): ParsedFile {
  const lc = new LineCounter();
  // `merge: true` because compose files lean on `<<: *defaults` under `x-` anchors.
  const doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePos => {
    const p = lc.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: Diagnostic['severity'], pos: SourcePos, message: string) =>
    diagnostics.push({ severity, ...pos, message });
  for (const e of doc.errors) diag('error', at(e.pos[0]), `YAML: ${firstLine(e.message)}`);
  for (const e of doc.warnings) {
    if (e.code === 'TAG_RESOLVE_FAILED' && MERGE_TAGS.has(/!\w+/.exec(e.message)?.[0] ?? '')) continue;
    diag('warning', at(e.pos[0]), `YAML: ${firstLine(e.message)}`);
  }
  const root = posNode({ file, line: 1, col: 1 });
  const failed = { file, value: undefined, positions: root, diagnostics, resets: [] };
  const fail = (pos: SourcePos, message: string) => (diag('error', pos, message), failed);
  if (diagnostics.some((d) => d.severity === 'error')) return failed;
  const expansion = aliasExpansion(doc as Document.Parsed);
  if (expansion.problem) {
    return fail(at(expansion.problem.offset), `YAML: ${expansion.problem.message}`);
  }
  let value: unknown;
  try {
    // The expansion was measured above, so yaml's own alias-count guard (which rejects real files
    // that use one anchor a few thousand times) is not needed.
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    return fail(root.pos, `YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const top = doc.contents;
  const resets: Segment[][] = [];
  const positions = top ? walk(top as Node, at, [], resets) : root;
  // Last first, so removing a sequence item does not shift the ones still to remove.
  for (const path of [...resets].reverse()) deletePath(value, path);
  return { file, value, positions, diagnostics, resets };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function walk(
  node: Node,
  at: (o: number) => SourcePos,
  path: Segment[],
  resets: Segment[][],
  keyPos?: SourcePos,
): PosNode {
  const start = node.range?.[0] ?? 0;
  const tag = node.tag === '!override' ? 'override' : undefined;
  if (node.tag === '!reset') resets.push(path);
  const out = posNode(at(start), keyPos, tag);
  // An alias stands for a whole subtree defined elsewhere; errors inside it point at the alias.
  if (isAlias(node) || isScalar(node)) return out;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key;
      const key = isScalar(k) ? String(k.value) : undefined;
      if (key === undefined || key === '<<') continue;
      const kPos = at((k as Node).range?.[0] ?? start);
      const v = pair.value as Node | null;
      out.children.set(key, v ? walk(v, at, [...path, key], resets, kPos) : posNode(kPos, kPos));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) out.children.set(i, walk(item as Node, at, [...path, i], resets));
    });
  }
  return out;
}

/** Removes the value at `path` (a `!reset` node) so it neither reaches the schema nor the model. */
export function deletePath(value: unknown, path: KeyPath): void {
  if (path.length === 0) return;
  let cur: unknown = value;
  for (const seg of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<Segment, unknown>)[seg];
  }
  const last = path[path.length - 1] as Segment;
  if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
  else if (cur !== null && typeof cur === 'object') delete (cur as Record<Segment, unknown>)[last];
}
