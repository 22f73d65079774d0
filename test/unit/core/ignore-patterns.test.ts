import { describe, expect, it } from 'vitest';
import { compilePatterns, parseDockerignore } from '../../../src/core/ignore-patterns.js';

// Docker's .dockerignore semantics (the same ones compose's develop.watch ignore/include use).
describe('dockerignore patterns: edge cases', () => {
  const cases: [patterns: string[], rel: string, matched: boolean][] = [
    // negation: the last matching pattern wins, in either order
    [['*.txt', '!keep.txt'], 'keep.txt', false],
    [['!keep.txt', '*.txt'], 'keep.txt', true],
    [['logs', '!logs/today'], 'logs/today/a.log', false],
    [['logs', '!logs/today'], 'logs/yesterday/a.log', true],
    [['*', '!src'], 'src/deep/a.ts', false],
    [['*', '!src'], 'other/a.ts', true],
    // `**`: any number of segments, zero included, at the start, middle or end
    [['**/cache'], 'cache', true],
    [['**/cache'], 'a/b/cache/x', true],
    [['a/**/z'], 'a/z', true],
    [['a/**/z'], 'a/b/c/z', true],
    [['a/**/z'], 'b/a/z', false],
    [['a/**'], 'a/b/c', true],
    [['**'], 'anything/at/all', true],
    [['**/*.go'], 'main.go', true],
    [['**/*.go'], 'cmd/x/main.go', true],
    // a leading `/` is the root, like no slash at all; `*` and names stay at their depth
    [['/build'], 'build/out.o', true],
    [['/build'], 'src/build/out.o', false],
    [['build'], 'src/build/out.o', false],
    [['*.log'], 'sub/a.log', false],
    [['*/*.log'], 'sub/a.log', true],
    // a trailing `/`, `.` and `..` segments are cleaned as Docker does
    [['dist/'], 'dist/a.js', true],
    [['./dist'], 'dist/a.js', true],
    [['x/../dist'], 'dist/a.js', true],
    // `?`, classes and escapes stay within one segment
    [['file?.txt'], 'file1.txt', true],
    [['file?.txt'], 'file/.txt', false],
    [['[a-c]*.md'], 'b-notes.md', true],
    [['[a-c]*.md'], 'd-notes.md', false],
    [['\\*.txt'], '*.txt', true],
    [['\\*.txt'], 'a.txt', false],
    // case matters (Linux)
    [['readme.md'], 'README.md', false],
    // comments and blank lines are no patterns
    [['# *.txt', '', '   '], 'a.txt', false],
  ];
  it.each(cases)('%j: %s → %s', (patterns, rel, matched) => {
    expect(compilePatterns(patterns).matches(rel)).toBe(matched);
  });

  it('says whether any pattern re-includes (the build context then walks into excluded folders)', () => {
    expect(parseDockerignore('node_modules\n!node_modules/keep\n').reincludes).toBe(true);
    expect(parseDockerignore('node_modules\n# !not a pattern\n').reincludes).toBe(false);
  });

  it('never matches the root itself', () => {
    expect(compilePatterns(['**']).matches('')).toBe(false);
  });
});
