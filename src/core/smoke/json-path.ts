/** One step of an `expect_json` path: an object key or an array index. */
export type PathStep = string | number;

/**
 * Parses `a.b[0].c` (optionally `$.a`, and `["odd.key"]` for keys with dots). Returns undefined
 * for a malformed path, so the check fails with a clear reason instead of looking up nonsense.
 */
export function parseJsonPath(path: string): PathStep[] | undefined {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const steps: PathStep[] = [];
  let i = 0;
  let expectKey = true;
  let sawDot = false;
  while (i < rest.length) {
    const c = rest[i];
    if (c === '.') {
      if (expectKey && steps.length > 0) return undefined;
      expectKey = true;
      sawDot = true;
      i++;
      continue;
    }
    if (c === '[') {
      const close = rest.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = rest.slice(i + 1, close).trim();
      const quoted = /^(["'])(.*)\1$/s.exec(inner);
      if (quoted) steps.push(quoted[2] ?? '');
      else if (/^\d+$/.test(inner)) steps.push(Number(inner));
      else return undefined;
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (!expectKey) return undefined;
    let end = i;
    while (end < rest.length && rest[end] !== '.' && rest[end] !== '[') end++;
    steps.push(rest.slice(i, end));
    i = end;
    expectKey = false;
  }
  if (expectKey && sawDot) return undefined;
  return steps;
}

export type Lookup =
  { readonly found: true; readonly value: unknown } | { readonly found: false; readonly at: string };

/** Follows the steps through parsed JSON; `at` names the first step that was not there. */
export function lookupJson(doc: unknown, steps: readonly PathStep[]): Lookup {
  let cur: unknown = doc;
  let walked = '';
  for (const step of steps) {
    walked += typeof step === 'number' ? `[${step}]` : walked === '' ? step : `.${step}`;
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return { found: false, at: walked };
      cur = cur[step] as unknown;
    } else {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, step))
        return { found: false, at: walked };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: cur };
}

/** Structural equality for JSON values (YAML `value: 1` must equal JSON `1`, key order aside). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return (
    keys.length === Object.keys(bo).length &&
    keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]))
  );
}
