import { posNode, type KeyPath, type PosNode, type Segment } from './positions.js';

/** A value together with where its parts came from, so merged trees keep file:line:col. */
export interface Located {
  readonly v: unknown;
  readonly p: PosNode;
  /** Paths this file tagged `!reset`: they are removed from what earlier files set. */
  readonly resets?: readonly KeyPath[];
}

type Rule = 'replace' | 'append' | 'by-key' | 'by-target' | 'by-source' | 'map-of-names';

/** How compose overrides a service key; anything not listed merges maps and replaces scalars. */
const SERVICE_RULES: Readonly<Record<string, Rule>> = {
  command: 'replace',
  entrypoint: 'replace',
  environment: 'by-key',
  labels: 'by-key',
  annotations: 'by-key',
  sysctls: 'by-key',
  extra_hosts: 'by-key',
  volumes: 'by-target',
  secrets: 'by-source',
  configs: 'by-source',
  depends_on: 'map-of-names',
  networks: 'map-of-names',
  ports: 'append',
  expose: 'append',
  dns: 'append',
  dns_search: 'append',
  dns_opt: 'append',
  tmpfs: 'append',
  cap_add: 'append',
  cap_drop: 'append',
  env_file: 'append',
  devices: 'append',
  security_opt: 'append',
  profiles: 'replace',
};

const NESTED_RULES: Readonly<Record<string, Rule>> = {
  'build.args': 'by-key',
  'build.labels': 'by-key',
  'healthcheck.test': 'replace',
  'deploy.labels': 'by-key',
};

/** Later file `b` overrides earlier `a`, following compose's merge rules. */
export function mergeFiles(a: Located, b: Located): Located {
  const base = (b.resets ?? []).reduce(without, a);
  const m = mergeAt(base, b, []);
  return { v: m.v, p: m.p };
}

/** `extends`: the local service definition `b` over its base `a`, by the same rules. */
export function mergeService(a: Located, b: Located): Located {
  return mergeAt(a, b, ['services', '']);
}

/** `a` without the value at `path` (copied along the path, never mutated: anchors share objects). */
function without(a: Located, path: KeyPath): Located {
  const [seg, ...rest] = path;
  if (seg === undefined) return a;
  const child = isRecord(a.v) || Array.isArray(a.v) ? (a.v as Record<Segment, unknown>)[seg] : undefined;
  if (child === undefined) return a;
  const p = posNode(a.p.pos, a.p.keyPos, a.p.tag);
  for (const [k, n] of a.p.children) p.children.set(k, n);
  if (rest.length > 0) {
    const inner = without({ v: child, p: a.p.children.get(seg) ?? a.p }, rest);
    p.children.set(seg, inner.p);
    const v = Array.isArray(a.v) ? [...(a.v as unknown[])] : { ...(a.v as Record<string, unknown>) };
    (v as Record<Segment, unknown>)[seg] = inner.v;
    return { v, p };
  }
  if (Array.isArray(a.v)) {
    // Positions of later items would shift; the merged list keeps the earlier ones' positions.
    return { v: a.v.filter((_, i) => i !== seg), p };
  }
  const { [seg]: _gone, ...v } = a.v as Record<string, unknown>;
  p.children.delete(seg);
  return { v, p };
}

function ruleFor(path: readonly Segment[]): Rule | undefined {
  if (path[0] !== 'services' || path.length < 3) return undefined;
  const rel = path.slice(2).join('.');
  return path.length === 3 ? SERVICE_RULES[rel] : NESTED_RULES[rel];
}

function mergeAt(a: Located, b: Located, path: readonly Segment[]): Located {
  if (b.p.tag === 'override') return b;
  const rule = ruleFor(path);
  if (rule === 'replace') return b;
  if (rule === 'by-key') return mergeMaps(toMap(a, keyValueItem), toMap(b, keyValueItem), path);
  if (rule === 'map-of-names') return mergeMaps(toMap(a, nameItem), toMap(b, nameItem), path);
  if (rule === 'by-target' || rule === 'by-source') return mergeKeyedList(a, b, rule);
  if (Array.isArray(a.v) && Array.isArray(b.v)) return appendUnique(a, b);
  if (isRecord(a.v) && isRecord(b.v)) return mergeMaps(a, b, path);
  return b;
}

function mergeMaps(a: Located, b: Located, path: readonly Segment[]): Located {
  if (!isRecord(a.v) || !isRecord(b.v)) return b;
  const v: Record<string, unknown> = { ...a.v };
  const p = posNode(b.p.pos, b.p.keyPos ?? a.p.keyPos);
  for (const [k, n] of a.p.children) p.children.set(k, n);
  for (const [k, bv] of Object.entries(b.v)) {
    const bp = b.p.children.get(k) ?? b.p;
    const ap = a.p.children.get(k);
    if (k in a.v && ap && a.v[k] !== null && bv !== null) {
      const m = mergeAt({ v: a.v[k], p: ap }, { v: bv, p: bp }, [...path, k]);
      v[k] = m.v;
      p.children.set(k, m.p);
    } else {
      v[k] = bv;
      p.children.set(k, bp);
    }
  }
  return { v, p };
}

function appendUnique(a: Located, b: Located): Located {
  const av = a.v as unknown[];
  const bv = b.v as unknown[];
  const seen = new Set(av.map((x) => JSON.stringify(x)));
  const v = [...av];
  const p = posNode(a.p.pos, a.p.keyPos);
  for (const [k, n] of a.p.children) p.children.set(k, n);
  bv.forEach((item, i) => {
    if (seen.has(JSON.stringify(item))) return;
    seen.add(JSON.stringify(item));
    const child = b.p.children.get(i);
    if (child) p.children.set(v.length, child);
    v.push(item);
  });
  return { v, p };
}

/** Volumes merge by mount target, secrets/configs by source; a later entry replaces in place. */
function mergeKeyedList(a: Located, b: Located, rule: 'by-target' | 'by-source'): Located {
  if (!Array.isArray(a.v) || !Array.isArray(b.v)) return b;
  const keyOf = (x: unknown): string =>
    rule === 'by-target' ? volumeTarget(x) : isRecord(x) ? String(x['source']) : String(x);
  const v = [...a.v];
  const p = posNode(a.p.pos, a.p.keyPos);
  for (const [k, n] of a.p.children) p.children.set(k, n);
  b.v.forEach((item, i) => {
    const idx = v.findIndex((x) => keyOf(x) === keyOf(item));
    const at = idx >= 0 ? idx : v.length;
    v[at] = item;
    const child = b.p.children.get(i);
    if (child) p.children.set(at, child);
  });
  return { v, p };
}

function volumeTarget(x: unknown): string {
  if (isRecord(x)) return String(x['target']);
  const parts = String(x).split(':');
  return parts.length === 1 ? (parts[0] ?? '') : (parts[1] ?? '');
}

/** `KEY=VALUE` list items (environment, labels) become map entries. */
function keyValueItem(item: unknown): [string, unknown] {
  const s = String(item);
  const eq = s.indexOf('=');
  return eq < 0 ? [s, null] : [s.slice(0, eq), s.slice(eq + 1)];
}

/** `depends_on: [db]` / `networks: [front]` items become `{db: {...}}` entries. */
function nameItem(item: unknown): [string, unknown] {
  return [String(item), null];
}

function toMap(x: Located, item: (i: unknown) => [string, unknown]): Located {
  if (!Array.isArray(x.v)) return x;
  const v: Record<string, unknown> = {};
  const p = posNode(x.p.pos, x.p.keyPos);
  x.v.forEach((it, i) => {
    const [k, val] = item(it);
    v[k] = val;
    const child = x.p.children.get(i);
    if (child) p.children.set(k, posNode(child.pos, child.pos));
  });
  return { v, p };
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
