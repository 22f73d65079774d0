/**
 * `.dockerignore`-style patterns, as compose applies them to `develop.watch` `ignore`/`include`:
 * `*` `?` `[...]` within one segment, `**` across segments, `!` re-includes, the last matching
 * pattern wins, and a pattern that matches a directory matches everything below it.
 */
export interface Pattern {
  readonly negate: boolean;
  readonly re: RegExp;
}

export function compilePatterns(lines: readonly string[]): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of lines) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1).trim();
    }
    line = normalize(line);
    if (line === '' || line === '.') continue;
    out.push({ negate, re: globToRegExp(line) });
  }
  return out;
}

/** Lines of a `.dockerignore` file. */
export function dockerignoreLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Whether `rel` (posix, relative to the patterns' root) is matched: it or one of its parents. */
export function matches(patterns: readonly Pattern[], rel: string): boolean {
  let hit = false;
  const parents = rel.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  for (const p of patterns) if (parents.some((x) => p.re.test(x))) hit = !p.negate;
  return hit;
}

function normalize(glob: string): string {
  const parts: string[] = [];
  for (const seg of glob.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      re += escapeRe(glob[i] ?? '');
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
}

/** A `.dockerignore` file's patterns (build contexts and watch rules read them the same way). */
export function parseDockerignore(text: string): Pattern[] {
  return compilePatterns(dockerignoreLines(text));
}
