import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExportInput } from '../core/export/index.js';
import type { Project } from '../model/project.js';
import { OrchError } from '../errors/index.js';

/** Reads the files the project's secrets and configs name, so the translation itself stays pure. */
export async function exportInput(
  project: Project,
  images?: Readonly<Record<string, string>>,
): Promise<ExportInput> {
  const files = new Map<string, Uint8Array>();
  for (const o of [...Object.values(project.secrets), ...Object.values(project.configs)]) {
    if (o.external || o.file === undefined || files.has(o.file)) continue;
    // An unreadable file is warned about by the translation (the object is left empty).
    const bytes = await readFile(o.file).catch(() => undefined);
    if (bytes) files.set(o.file, bytes);
  }
  return { project, files, env: process.env, ...(images ? { images } : {}) };
}

/** Writes files (relative to `dir`), creating directories as needed. */
export async function writeOutputs(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [name, text] of files) {
    const path = join(dir, name);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    } catch (err) {
      throw new OrchError('FILE_UNREADABLE', `cannot write ${path}: ${(err as Error).message}`, {
        hint: 'choose a writable -o/--output path',
      });
    }
  }
}
