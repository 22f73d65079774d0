import { isDeepStrictEqual } from 'node:util';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { OrchError } from '../../errors/index.js';
import { blockEnd, column, endOfLine } from './lines.js';
import { isPlainObject } from './placeholders.js';
import type { RouteBlock } from './render.js';
import {
  blockEntry,
  blockItem,
  detectStyle,
  flowValue,
  hasBlankLinesBetween,
  type YamlStyle,
} from './yaml-style.js';

export interface ProjectEdit {
  /** Added at the end of `services:`, in this order. */
  readonly services: readonly { readonly name: string; readonly block: Record<string, unknown> }[];
  /** Added at the end of `x-orch.gateway.routes`. */
  readonly route?: RouteBlock;
}

export interface Insertion {
  /** Offset in the original text. */
  readonly offset: number;
  readonly text: string;
}

export interface EditResult {
  readonly text: string;
  /** What was inserted where: removing these from `text` gives back the original, byte for byte. */
  readonly insertions: readonly Insertion[];
}

const ROUTES_PATH = ['x-orch', 'gateway', 'routes'] as const;

/**
 * Adds services and a gateway route to a project file's text. The `yaml` document tells where
 * things are and how the file is indented; the new text is spliced in at those offsets rather than
 * re-printing the whole document, because `doc.toString()` re-flows untouched parts (flow-collection
 * spacing, folded scalars, comment spacing). Everything outside the insertions stays byte-identical.
 */
export function editProjectText(text: string, edit: ProjectEdit, file: string): EditResult {
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0)
    throw new OrchError(
      'USAGE',
      `${file}: cannot edit a file with YAML errors: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`,
    );
  const style = detectStyle(text, doc);
  const root = doc.contents;
  if (root !== null && !isMap(root))
    throw new OrchError('USAGE', `${file}: the project file is not a mapping`);
  const editor = new Editor(root, text, style, file);
  const current: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const services = isPlainObject(current) && isPlainObject(current['services']) ? current['services'] : {};
  for (const s of edit.services)
    if (s.name in services) throw new OrchError('USAGE', `${file}: service \`${s.name}\` already exists`);

  if (edit.services.length > 0) {
    const entries = edit.services.map((s) => [s.name, s.block] as const);
    editor.addEntries(root, ['services'], entries);
  }
  if (edit.route) {
    const routes = getIn(current, ROUTES_PATH);
    if (Array.isArray(routes) && routes.some((r) => isPlainObject(r) && r['path'] === edit.route?.path))
      throw new OrchError('USAGE', `${file}: a gateway route for \`${edit.route.path}\` already exists`);
    editor.addItem(root, ROUTES_PATH, edit.route);
  }
  const result = editor.result();
  verify(result.text, edit, file);
  return result;
}

type Entry = readonly [string, unknown];

interface Found {
  readonly node: Node | null;
  readonly missing: readonly string[];
  readonly emptyPair?: Pair;
}

class Editor {
  private readonly insertions: Insertion[] = [];

  constructor(
    private readonly root: Node | null,
    private readonly text: string,
    private readonly style: YamlStyle,
    private readonly file: string,
  ) {}

  result(): EditResult {
    const sorted = this.insertions
      .map((ins, seq) => ({ ins, seq }))
      .sort((a, b) => a.ins.offset - b.ins.offset || a.seq - b.seq);
    let out = '';
    let at = 0;
    for (const { ins } of sorted) {
      out += this.text.slice(at, ins.offset) + ins.text;
      at = ins.offset;
    }
    return { text: out + this.text.slice(at), insertions: sorted.map((s) => s.ins) };
  }

  /** Adds `entries` to the mapping at `path`, creating the missing mappings on the way. */
  addEntries(root: Node | null, path: readonly string[], entries: readonly Entry[]): void {
    const found = this.descend(root, path);
    const leaf = Object.fromEntries(entries);
    if (found.missing.length === 0 && found.node) {
      if (!isMap(found.node)) throw this.notA(path, 'mapping');
      return this.appendToMap(found.node, entries);
    }
    this.create(found, leaf, entries);
  }

  /** Adds `item` to the sequence at `path`, creating it and its parents where missing. */
  addItem(root: Node | null, path: readonly string[], item: unknown): void {
    const found = this.descend(root, path);
    if (found.missing.length === 0 && found.node) {
      if (!isSeq(found.node)) throw this.notA(path, 'list');
      return this.appendToSeq(found.node, path, item);
    }
    this.create(found, [item]);
  }

  /** Writes what is missing below the deepest existing node: new keys, or the body of `key:`. */
  private create(found: Found, leaf: unknown, entries?: readonly Entry[]): void {
    const [first, ...rest] = found.missing;
    if (found.emptyPair) {
      const body: unknown = first === undefined ? leaf : { [first]: nest(rest, leaf) };
      return this.fillEmpty(found.emptyPair, body);
    }
    const added: Entry[] = first === undefined ? [...(entries ?? [])] : [[first, nest(rest, leaf)]];
    if (found.node && isMap(found.node) && found.node !== this.root)
      return this.appendToMap(found.node, added);
    this.appendAtEnd(added);
  }

  /** The deepest existing node along `path` and the keys still missing below it. */
  private descend(root: Node | null, path: readonly string[]): Found {
    let node: Node | null = root;
    for (let i = 0; i < path.length; i++) {
      if (node === null) return { node: null, missing: path.slice(i) };
      if (isAlias(node)) throw this.alias(path.slice(0, i));
      if (!isMap(node)) throw this.notA(path.slice(0, i), 'mapping');
      const pair = findPair(node, path[i] ?? '');
      if (!pair) return { node, missing: path.slice(i) };
      const v = pair.value as Node | null;
      // `key:` with nothing after it: what is added goes on the lines below the key.
      if (v === null || (isScalar(v) && v.value === null))
        return { node: null, emptyPair: pair, missing: path.slice(i + 1) };
      node = v;
    }
    if (isAlias(node)) throw this.alias(path);
    return { node, missing: [] };
  }

  private fillEmpty(pair: Pair, body: unknown): void {
    const { text, style } = this;
    const key = pair.key as Node;
    const keyCol = column(text, key.range?.[0] ?? 0);
    // After the key and anything on its line (a comment, or a `~`/`null` we leave in place would
    // make the result invalid, so only a bare `key:` is accepted here).
    const value = pair.value as Node | null;
    if (value && value.range && text.slice(value.range[0], value.range[1]).trim() !== '')
      throw new OrchError(
        'USAGE',
        `${this.file}: \`${String((key as { value?: unknown }).value)}\` is set to null; write it as a mapping or list first`,
      );
    const lineEnd = endOfLine(text, key.range?.[1] ?? 0);
    const lines = Array.isArray(body)
      ? body.map((item) => blockItem(item, keyCol + (style.indentSeq ? style.indent : 0), style))
      : Object.entries(body as Record<string, unknown>).map(([k, v]) =>
          blockEntry(k, v, keyCol + style.indent, style),
        );
    this.insert(lineEnd, lines.join(style.eol));
  }

  private appendToMap(map: YAMLMap, entries: readonly Entry[]): void {
    const { text, style } = this;
    if (map.flow)
      return this.insertIntoFlow(
        map,
        entries.map(([k, v]) => `${k}: ${flowValue(v, style)}`),
      );
    const last = map.items[map.items.length - 1];
    const firstKey = map.items[0]?.key as Node | undefined;
    if (!last || !firstKey?.range) return this.appendAtEnd(entries);
    const col = column(text, firstKey.range[0]);
    const end = blockEnd(text, (last.key as Node).range?.[0] ?? 0, col);
    const blank = hasBlankLinesBetween(map) ? style.eol : '';
    const body = entries.map(([k, v]) => blockEntry(k, v, col, style)).join(style.eol + blank);
    this.insert(end, blank + body);
  }

  private appendToSeq(seq: YAMLSeq, path: readonly string[], item: unknown): void {
    const { text, style } = this;
    if (seq.flow) return this.insertIntoFlow(seq, [flowValue(item, style)]);
    const lastItem = seq.items[seq.items.length - 1] as Node | undefined;
    if (!seq.range || !lastItem?.range) throw this.notA(path, 'non-empty list');
    const col = column(text, seq.range[0]);
    const end = blockEnd(text, lastItem.range[0], col, true);
    this.insert(end, blockItem(item, col, style));
  }

  /** `{a: 1}` → `{a: 1, b: 2}`; `[]` → `[x]`. */
  private insertIntoFlow(node: YAMLMap | YAMLSeq, parts: readonly string[]): void {
    const last = node.items[node.items.length - 1] as Node | Pair | undefined;
    const lastEnd =
      last === undefined
        ? undefined
        : isPair(last)
          ? ((last.value as Node | null)?.range ?? (last.key as Node).range)?.[1]
          : last.range?.[1];
    if (lastEnd === undefined) {
      const open = node.range?.[0] ?? 0;
      const emptyInside = /^[[{]\s*[\]}]/.exec(this.text.slice(open));
      if (!emptyInside)
        throw new OrchError('USAGE', `${this.file}: unexpected content inside an empty collection`);
      const pad = this.style.flowPadding ? ' ' : '';
      const closeNext = emptyInside[0].length === 2;
      this.insert(open + 1, closeNext ? `${pad}${parts.join(', ')}${pad}` : ` ${parts.join(', ')}`, true);
      return;
    }
    this.insert(lastEnd, `, ${parts.join(', ')}`, true);
  }

  private appendAtEnd(entries: readonly Entry[]): void {
    const body = entries.map(([k, v]) => blockEntry(k, v, 0, this.style)).join(this.style.eol);
    const needsBlank = this.text.trim() !== '';
    this.insert(this.text.length, (needsBlank ? this.style.eol : '') + body);
  }

  /** Inserts `body` as whole lines at `offset` (a line start, or the end), or inline as is. */
  private insert(offset: number, body: string, inline = false): void {
    if (inline) {
      this.insertions.push({ offset, text: body });
      return;
    }
    const atEnd = offset >= this.text.length;
    const lead = atEnd && this.text.length > 0 && !this.text.endsWith('\n') ? this.style.eol : '';
    this.insertions.push({ offset, text: `${lead}${body}${this.style.eol}` });
  }

  private alias(path: readonly string[]): OrchError {
    return new OrchError(
      'USAGE',
      `${this.file}: \`${path.join('.')}\` is an alias; orch new cannot add to it`,
      {
        hint: 'add the entries by hand (`orch new --dry-run` prints them)',
      },
    );
  }

  private notA(path: readonly string[], what: string): OrchError {
    return new OrchError(
      'USAGE',
      `${this.file}: \`${path.join('.')}\` is not a ${what}, so orch new cannot add to it`,
    );
  }
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
}

function nest(keys: readonly string[], leaf: unknown): unknown {
  return keys.reduceRight<unknown>((acc, k) => ({ [k]: acc }), leaf);
}

function getIn(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const k of path) v = isPlainObject(v) ? v[k] : undefined;
  return v;
}

/** The edited text must parse and hold exactly what was meant; otherwise nothing is written. */
function verify(text: string, edit: ProjectEdit, file: string): void {
  const doc = parseDocument(text, { merge: true });
  const js: unknown = doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 1000 });
  const ok =
    isPlainObject(js) &&
    edit.services.every((s) => isDeepStrictEqual(getIn(js, ['services', s.name]), s.block)) &&
    (!edit.route ||
      (() => {
        const routes = getIn(js, ROUTES_PATH);
        return Array.isArray(routes) && isDeepStrictEqual(routes[routes.length - 1], edit.route);
      })());
  if (!ok)
    throw new OrchError(
      'USAGE',
      `${file}: orch new could not add the service to this file's layout safely; nothing was written`,
      {
        hint: 'add the service block by hand (`orch new --dry-run` prints it)',
      },
    );
}
