import type { SourcePos } from '../model/project.js';

/** One step into the document: a mapping key or a sequence index. */
export type Segment = string | number;
export type KeyPath = readonly Segment[];

/**
 * Where each value came from, kept beside the plain JS tree rather than inside it so ajv and the
 * normalizer can work on ordinary objects. `keyPos` is where the mapping key starts.
 */
export interface PosNode {
  readonly pos: SourcePos;
  readonly keyPos?: SourcePos;
  readonly children: Map<Segment, PosNode>;
  /** `!override`: this value replaces the earlier file's instead of merging with it. */
  readonly tag?: 'override';
}

export function posNode(pos: SourcePos, keyPos?: SourcePos, tag?: 'override'): PosNode {
  return {
    pos,
    ...(keyPos ? { keyPos } : {}),
    children: new Map<Segment, PosNode>(),
    ...(tag ? { tag } : {}),
  };
}

/** The deepest node on the path; anything past a missing segment falls back to its parent. */
export function findNode(root: PosNode, path: KeyPath): PosNode {
  let node = root;
  for (const seg of path) {
    const next = node.children.get(seg);
    if (!next) break;
    node = next;
  }
  return node;
}

export function valuePos(root: PosNode, path: KeyPath): SourcePos {
  return findNode(root, path).pos;
}

/** Position of the key itself (for "unknown key" errors), else its value. */
export function keyPos(root: PosNode, path: KeyPath): SourcePos {
  const n = findNode(root, path);
  return n.keyPos ?? n.pos;
}

/** Human form of a path: `services.web.ports[0]`. */
export function dotted(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** ajv's instancePath (`/services/web/ports/0`) back to segments; array indices become numbers. */
export function fromPointer(pointer: string, value: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(key);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(key);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}
