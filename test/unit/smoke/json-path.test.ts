import { describe, expect, it } from 'vitest';
import { jsonEqual, lookupJson, parseJsonPath } from '../../../src/core/smoke/index.js';

describe('expect_json paths', () => {
  it('parses dotted keys, indexes, $ and quoted keys', () => {
    expect(parseJsonPath('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
    expect(parseJsonPath('$.items[2]')).toEqual(['items', 2]);
    expect(parseJsonPath('[0][1]')).toEqual([0, 1]);
    expect(parseJsonPath('meta["x.y"].z')).toEqual(['meta', 'x.y', 'z']);
    expect(parseJsonPath('$')).toEqual([]);
  });

  it('rejects malformed paths', () => {
    for (const bad of ['a..b', 'a.', 'a[x]', 'a[1', 'a[0]b', '.'])
      expect(parseJsonPath(bad), bad).toBeUndefined();
  });

  it('looks values up and names the first missing step', () => {
    const doc = { a: { b: [{ c: 1 }, { c: null }] } };
    expect(lookupJson(doc, ['a', 'b', 0, 'c'])).toEqual({ found: true, value: 1 });
    expect(lookupJson(doc, ['a', 'b', 1, 'c'])).toEqual({ found: true, value: null });
    expect(lookupJson(doc, ['a', 'b', 5, 'c'])).toEqual({ found: false, at: 'a.b[5]' });
    expect(lookupJson(doc, ['a', 'x'])).toEqual({ found: false, at: 'a.x' });
    // Inherited properties are not JSON keys.
    expect(lookupJson({}, ['toString']).found).toBe(false);
    expect(lookupJson([1], ['length']).found).toBe(false);
  });

  it('compares JSON values structurally', () => {
    expect(jsonEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
