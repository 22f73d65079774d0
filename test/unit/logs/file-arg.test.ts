import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileGivenAsService, looksLikeProjectFile } from '../../../src/cli/logs-file-arg.js';

describe('orch logs: a project file given where a service goes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-logs-arg-'));
  writeFileSync(join(dir, 'stack'), 'services: {}\n');
  mkdirSync(join(dir, 'api'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes names ending in .yml/.yaml, and existing files, for project files', () => {
    expect(looksLikeProjectFile('compose.yaml', dir)).toBe(true);
    expect(looksLikeProjectFile('docker-compose.YML', dir)).toBe(true);
    expect(looksLikeProjectFile('stack', dir)).toBe(true);
  });

  it('leaves service names alone, even when a directory of that name exists', () => {
    expect(looksLikeProjectFile('api', dir)).toBe(false);
    expect(looksLikeProjectFile('web', dir)).toBe(false);
  });

  it('says that -f is --follow and how to give the file, as a usage error (exit 2)', () => {
    const e = fileGivenAsService('compose.yaml', true);
    expect(e.message).toContain('`compose.yaml` is a file, not a service');
    expect(e.message).toContain('-f means --follow');
    expect(e.hint).toBe('give the project file as --file: orch logs -f --file compose.yaml');
    expect(e.exitCode).toBe(2);
  });
});
