import { interpolate, type Lookup } from './interpolate.js';

export interface DotenvEntry {
  readonly key: string;
  /** undefined: the line named a variable without `=` (take it from the environment). */
  readonly value: string | undefined;
  readonly line: number;
}

export interface DotenvResult {
  readonly entries: readonly DotenvEntry[];
  readonly errors: readonly { line: number; message: string }[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:(=)\s*(.*))?$/;

/**
 * The `.env` / `env_file` format compose reads: `KEY=VALUE`, `export KEY=VALUE`, `# comments`,
 * single quotes literal, double quotes with escapes and `${}` expansion, unquoted values trimmed
 * and cut at ` #`. `outer`, then earlier keys, feed expansion of later ones.
 */
export function parseDotenv(text: string, outer: Lookup = () => undefined): DotenvResult {
  const entries: DotenvEntry[] = [];
  const errors: { line: number; message: string }[] = [];
  const seen = new Map<string, string>();
  // Compose looks in the outer environment first, then at keys defined earlier in the file.
  const lookup: Lookup = (n) => outer(n) ?? seen.get(n);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const m = LINE.exec(raw);
    if (!m?.[1]) {
      errors.push({ line: i + 1, message: `cannot parse line: ${raw.trim()}` });
      continue;
    }
    const key = m[1];
    if (m[2] === undefined) {
      entries.push({ key, value: undefined, line: i + 1 });
      continue;
    }
    let rest = m[3] ?? '';
    let value: string;
    const q = rest[0];
    if (q === "'" || q === '"') {
      // Quoted values may span lines until the closing quote.
      let body = rest.slice(1);
      while (!closes(body, q) && i + 1 < lines.length) body += `\n${lines[++i] ?? ''}`;
      const end = closingIndex(body, q);
      rest = end < 0 ? body : body.slice(0, end);
      value = q === "'" ? rest : interpolate(unescape(rest), lookup).value;
    } else {
      value = interpolate(rest.replace(/\s+#.*$/, '').trim(), lookup).value;
    }
    seen.set(key, value);
    entries.push({ key, value, line: i + 1 });
  }
  return { entries, errors };
}

function closingIndex(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

function closes(s: string, q: string): boolean {
  return closingIndex(s, q) >= 0;
}

function unescape(s: string): string {
  return s.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}
