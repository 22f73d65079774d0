import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadFromFlags } from '../../../src/cli/load-project.js';
import { fastPath } from '../../../src/cli/fast-path.js';

afterEach(() => vi.restoreAllMocks());

function capture() {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  return out;
}

describe('the fast path before oclif', () => {
  it('leaves everything it does not answer to oclif, printing nothing', async () => {
    const out = capture();
    for (const argv of [
      [],
      ['--version'],
      ['--version', 'x'],
      ['-v'],
      ['ps', '--help'],
      ['ps', '--debug'],
      ['ps', 'web'],
      ['ps', '--bogus'],
      ['up'],
      ['logs', '--tail', '5'],
    ])
      expect(await fastPath(argv)).toBe(false);
    expect(out).toEqual([]);
  });

  it('leaves `ps` to oclif when no cached project model exists (oclif loads and reports)', async () => {
    const out = capture();
    expect(await fastPath(['ps', '-f', '/nonexistent/orch.yaml', '--json'])).toBe(false);
    expect(out).toEqual([]);
  });

  it('leaves to oclif every `orch logs` it does not answer, even with a cached project model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-fast-logs-'));
    try {
      const file = join(dir, 'compose.yaml');
      writeFileSync(file, 'services:\n  web:\n    image: busybox:latest\n');
      // Cached now: these are turned away by their arguments, not for want of a model.
      await loadFromFlags({ file: [file] });
      const out = capture();
      for (const extra of [
        ['-f'],
        ['--follow'],
        ['--since', '10m'],
        ['--grep', 'x'],
        ['--trace', 'abc'],
        ['--json'],
        ['--tail', 'x'],
        ['--tail', '-1'],
        ['nosuch'],
        ['--debug'],
      ])
        expect(await fastPath(['logs', '--file', file, ...extra]), extra.join(' ')).toBe(false);
      expect(out).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
