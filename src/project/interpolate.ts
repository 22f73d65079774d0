import type { Segment } from './positions.js';

export type Lookup = (name: string) => string | undefined;

export interface InterpolationIssue {
  readonly kind: 'unset' | 'required' | 'syntax';
  readonly variable: string;
  readonly message: string;
}

export interface InterpolationResult {
  readonly value: string;
  readonly issues: readonly InterpolationIssue[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Compose's interpolation grammar: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?msg}`,
 * `${VAR?msg}`, `${VAR:+alt}`, `${VAR+alt}`, with defaults that may nest, and `$$` for `$`.
 * Unset variables without a default become "" and are reported so the caller can warn.
 */
export function interpolate(input: string, lookup: Lookup): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const value = expand(input, lookup, issues);
  return { value, issues };
}

function expand(s: string, lookup: Lookup, issues: InterpolationIssue[]): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = matchingBrace(s, i + 1);
      if (end < 0) {
        issues.push({ kind: 'syntax', variable: '', message: `unterminated \`\${\` in "${s}"` });
        return out + s.slice(i);
      }
      out += braced(s.slice(i + 2, end), lookup, issues);
      i = end + 1;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) {
        // A lone `$` (e.g. at the end, or before a digit) is kept as compose does.
        out += '$';
        i++;
        continue;
      }
      out += resolve(m[0], lookup, issues);
      i += 1 + m[0].length;
    }
  }
  return out;
}

/** Index of the `}` closing the `{` at `open`, counting nested `${`. */
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(body: string, lookup: Lookup, issues: InterpolationIssue[]): string {
  const m = NAME.exec(body);
  if (!m) {
    issues.push({ kind: 'syntax', variable: body, message: `invalid interpolation format "\${${body}}"` });
    return '';
  }
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') return resolve(name, lookup, issues);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) {
    issues.push({ kind: 'syntax', variable: name, message: `invalid interpolation format "\${${body}}"` });
    return '';
  }
  const arg = rest.slice(op.length);
  const v = lookup(name);
  const colon = op.startsWith(':');
  // With a colon, empty counts as unset; without, only truly unset does.
  const missing = colon ? v === undefined || v === '' : v === undefined;
  switch (op.at(-1)) {
    case '-':
      return missing ? expand(arg, lookup, issues) : (v ?? '');
    case '+':
      return missing ? '' : expand(arg, lookup, issues);
    default: {
      if (!missing) return v ?? '';
      const msg = expand(arg, lookup, issues);
      issues.push({
        kind: 'required',
        variable: name,
        message: msg ? `${name}: ${msg}` : `required variable ${name} is missing a value`,
      });
      return '';
    }
  }
}

function resolve(name: string, lookup: Lookup, issues: InterpolationIssue[]): string {
  const v = lookup(name);
  if (v === undefined) {
    issues.push({ kind: 'unset', variable: name, message: `variable ${name} is not set; using ""` });
    return '';
  }
  return v;
}

/** Every string scalar in the tree, with its path, for the caller to interpolate in place. */
export function mapStrings(
  value: unknown,
  fn: (s: string, path: readonly Segment[]) => string,
  path: Segment[] = [],
): unknown {
  if (typeof value === 'string') return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn, [...path, k]);
    return out;
  }
  return value;
}
