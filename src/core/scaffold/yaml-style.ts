import { Document, isMap, isPair, isScalar, isSeq, visit, type Node, type YAMLMap } from 'yaml';

/** How the file is written, so what orch adds looks like what was already there. */
export interface YamlStyle {
  readonly eol: '\n' | '\r\n';
  /** Spaces per nesting level. */
  readonly indent: number;
  /** `key:\n  - item` (true) or `key:\n- item` (false). */
  readonly indentSeq: boolean;
  /** `[ a, b ]` (true) or `[a, b]` (false). */
  readonly flowPadding: boolean;
}

export function detectStyle(text: string, doc: Document.Parsed): YamlStyle {
  const col = (offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  let flowPadding: boolean | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return;
      const keyCol = col(pair.key.range[0]);
      const v = pair.value;
      if (isMap(v) && !v.flow && indent === undefined) {
        const first = v.items[0]?.key;
        if (isScalar(first) && first.range) {
          const d = col(first.range[0]) - keyCol;
          if (d > 0) indent = d;
        }
      }
      if (isSeq(v) && !v.flow && indentSeq === undefined && v.range) {
        indentSeq = col(v.range[0]) > keyCol;
      }
    },
    Map(_, node) {
      noteFlow(node);
    },
    Seq(_, node) {
      noteFlow(node);
    },
  });
  function noteFlow(node: {
    flow?: boolean;
    range?: [number, number, number] | null;
    items: unknown[];
  }): void {
    if (flowPadding !== undefined || !node.flow || !node.range || node.items.length === 0) return;
    flowPadding = text[node.range[0] + 1] === ' ';
  }
  return {
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    indent: indent ?? 2,
    indentSeq: indentSeq ?? true,
    flowPadding: flowPadding ?? false,
  };
}

/**
 * Block YAML written by hand rather than by `Document.toString()`, whose `indentSeq: false` does not
 * give `key:\n- item` at wider indents. Written the way people write compose files: mappings in
 * block style, short lists of scalars (a healthcheck `test`, `ignore`) in flow style, quoted.
 */
function emitMap(map: Readonly<Record<string, unknown>>, col: number, s: YamlStyle): string[] {
  const pad = ' '.repeat(col);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(map)) {
    const key = scalar(k);
    if (isInline(v)) lines.push(`${pad}${key}: ${inline(v, s)}`);
    else if (Array.isArray(v))
      lines.push(`${pad}${key}:`, ...emitSeq(v, s.indentSeq ? col + s.indent : col, s));
    else lines.push(`${pad}${key}:`, ...emitMap(v as Record<string, unknown>, col + s.indent, s));
  }
  return lines;
}

function emitSeq(seq: readonly unknown[], col: number, s: YamlStyle): string[] {
  const pad = ' '.repeat(col);
  const lines: string[] = [];
  for (const item of seq) {
    if (isInline(item) || Array.isArray(item)) {
      lines.push(`${pad}- ${isInline(item) ? inline(item, s) : flowValue(item, s)}`);
      continue;
    }
    // `- first: x` then the other keys lined up under `first`.
    const [first, ...rest] = emitMap(item as Record<string, unknown>, col + 2, s);
    lines.push(`${pad}- ${(first ?? '').trimStart()}`, ...rest);
  }
  return lines;
}

function isInline(v: unknown): boolean {
  if (Array.isArray(v)) return v.every((i) => i === null || typeof i !== 'object');
  if (v !== null && typeof v === 'object') return Object.keys(v).length === 0;
  return true;
}

function inline(v: unknown, s: YamlStyle): string {
  if (Array.isArray(v)) {
    const pad = s.flowPadding && v.length > 0 ? ' ' : '';
    return `[${pad}${v.map((i) => (typeof i === 'string' ? JSON.stringify(i) : scalar(i))).join(', ')}${pad}]`;
  }
  if (v !== null && typeof v === 'object') return '{}';
  return scalar(v);
}

/** One scalar, quoted only where YAML needs it (`"3000"` stays a string, `a: b` gets quotes). */
function scalar(v: unknown): string {
  if (typeof v === 'string' && /[\n\r]/.test(v)) return JSON.stringify(v);
  return new Document(v).toString({ lineWidth: 0 }).replace(/\n+$/, '');
}

/** `key: value` in block style at column `col`, without a final newline. */
export function blockEntry(key: string, value: unknown, col: number, style: YamlStyle): string {
  return emitMap({ [key]: value }, col, style).join(style.eol);
}

/** `- value` as a block sequence item at `col`. */
export function blockItem(value: unknown, col: number, style: YamlStyle): string {
  return emitSeq([value], col, style).join(style.eol);
}

/** A value on one line in flow style, for adding to a `{...}` or `[...]` collection. */
export function flowValue(value: unknown, style: YamlStyle): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value !== '' && /[:#,[\]{}]/.test(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc
    .toString({ collectionStyle: 'flow', lineWidth: 0, flowCollectionPadding: style.flowPadding })
    .replace(/\n+$/, '');
}

export function hasBlankLinesBetween(map: YAMLMap): boolean {
  return map.items.slice(1).some((p) => isPair(p) && (p.key as Node | null)?.spaceBefore === true);
}
