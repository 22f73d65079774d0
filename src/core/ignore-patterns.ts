import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose types declare an ES default: its `default` is the factory itself.
const dockerignore = dockerignoreModule.default;

/**
 * `.dockerignore` patterns, as Docker applies them to a build context and compose to
 * `develop.watch` `ignore`/`include`: `*` `?` `[...]` within one segment, `**` across segments,
 * a leading `/` means the context's root (as no leading `/` does), `!` re-includes, the last
 * matching pattern wins, and a pattern that matches a directory matches everything below it.
 * @balena/dockerignore is a port of Docker's own matcher (not gitignore's rules, under which `*.log`
 * would match at any depth).
 */
export interface Patterns {
  /** Whether any pattern is a `!` re-include: then an excluded directory may still hold kept files. */
  readonly reincludes: boolean;
  /** Whether `rel` (posix, relative to the patterns' root, not '') is matched: it or a parent. */
  matches(rel: string): boolean;
}

export function compilePatterns(lines: readonly string[]): Patterns {
  // Case-sensitive, as Docker is on Linux (the library folds case by default).
  const rules = dockerignore({ ignorecase: false }).add([...lines]);
  const reincludes = lines.some((l) => l.trim().startsWith('!'));
  return { reincludes, matches: (rel) => rel !== '' && rules.ignores(rel) };
}

/** Lines of a `.dockerignore` file. */
export function dockerignoreLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** A `.dockerignore` file's patterns (build contexts and watch rules read them the same way). */
export function parseDockerignore(text: string): Patterns {
  return compilePatterns(dockerignoreLines(text));
}
