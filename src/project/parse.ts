import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../errors/index.js';
import type { SourcePos } from '../model/project.js';
import { posNode, type PosNode } from './positions.js';

export interface ParsedFile {
  readonly file: string;
  readonly value: unknown;
  readonly positions: PosNode;
  readonly diagnostics: readonly Diagnostic[];
}

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
  for (const e of [...doc.errors, ...doc.warnings]) {
    const p = at(e.pos[0]);
    diagnostics.push({
      severity: doc.errors.includes(e as never) ? 'error' : 'warning',
      file,
      line: p.line,
      col: p.col,
      message: `YAML: ${firstLine(e.message)}`,
    });
  }
  const root = posNode({ file, line: 1, col: 1 });
  if (diagnostics.some((d) => d.severity === 'error'))
    return { file, value: undefined, positions: root, diagnostics };
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  const top = doc.contents;
  const positions = top ? walk(top as Node, at) : root;
  return { file, value: value ?? {}, positions, diagnostics };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function walk(node: Node, at: (o: number) => SourcePos, keyPos?: SourcePos): PosNode {
  const start = node.range?.[0] ?? 0;
  const out = posNode(at(start), keyPos);
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
      out.children.set(key, v ? walk(v, at, kPos) : posNode(kPos, kPos));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) out.children.set(i, walk(item as Node, at));
    });
  }
  return out;
}
