import { describe, expect, it } from 'vitest';
import { LiveProject } from '../../../src/core/live-project.js';
import type { Project } from '../../../src/model/project.js';

const p = (name: string): Project => ({ name }) as Project;

describe('LiveProject', () => {
  it('holds the one current version and tells listeners of each replacement, with the previous one', () => {
    const live = new LiveProject(p('v1'));
    const seen: string[] = [];
    const off = live.onChange((next, prev) => seen.push(`${prev.name}→${next.name}`));
    live.set(p('v2'));
    expect(live.current.name).toBe('v2');
    off();
    live.set(p('v3'));
    expect(live.current.name).toBe('v3');
    expect(seen).toEqual(['v1→v2']);
  });
});
