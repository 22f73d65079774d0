import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { OrchError } from '../errors/index.js';
import {
  MANIFEST_FILE,
  parseTemplate,
  type RenderedFile,
  type Template,
  type TemplateFile,
} from '../core/scaffold/index.js';

/** The templates shipped with orch: `templates/` at the package root (beside `dist/` and `src/`). */
export const BUILTIN_TEMPLATES_DIR = resolve(import.meta.dirname, '../../templates');

export interface TemplateSet {
  readonly templates: readonly Template[];
  /** Templates whose manifest is wrong, by name; `orch new` fails only if it asks for one. */
  readonly invalid: ReadonlyMap<string, OrchError>;
}

/**
 * Reads template folders, earliest directory first: a user template hides a built-in of the same
 * name. A folder without `template.yaml` is not a template and is skipped.
 */
export async function readTemplates(dirs: readonly { dir: string; source: string }[]): Promise<TemplateSet> {
  const byName = new Map<string, Template>();
  const invalid = new Map<string, OrchError>();
  for (const { dir, source } of dirs) {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      throw new OrchError('USAGE', `templates directory ${dir} cannot be read (${err.code ?? String(err)})`, {
        hint: 'check --templates or x-orch.templates',
      });
    });
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (byName.has(e.name) || invalid.has(e.name)) continue;
      const folder = join(dir, e.name);
      const manifestPath = join(folder, MANIFEST_FILE);
      const manifestText = await readFile(manifestPath, 'utf8').catch(() => undefined);
      if (manifestText === undefined) continue;
      try {
        const files = await readTree(folder);
        byName.set(
          e.name,
          parseTemplate({ folder: e.name, dir: folder, source, manifestPath, manifestText, files }),
        );
      } catch (err) {
        if (!(err instanceof OrchError)) throw err;
        invalid.set(e.name, err);
      }
    }
  }
  return { templates: [...byName.values()], invalid };
}

async function readTree(root: string): Promise<TemplateFile[]> {
  const out: TemplateFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && full !== join(root, MANIFEST_FILE))
        out.push({ path: relative(root, full).split(sep).join('/'), content: await readFile(full) });
    }
  };
  await walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a whole folder or nothing: the files go into a hidden temporary folder beside the target,
 * which is renamed into place (atomic on one filesystem). Any failure removes the temporary folder
 * and any parent folders this call created.
 */
export async function writeFolderAtomic(target: string, files: readonly RenderedFile[]): Promise<void> {
  const parent = dirname(target);
  const createdParent = await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.orch-new-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp);
    for (const f of files) {
      const path = join(tmp, ...f.path.split('/'));
      if (!path.startsWith(tmp + sep)) throw new Error(`template file ${f.path} escapes its folder`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content, { flag: 'wx' });
    }
    if (await pathExists(target)) throw new OrchError('USAGE', `${target} already exists`);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (createdParent) await rm(createdParent, { recursive: true, force: true });
    throw err;
  }
}

/** Replaces a file's content via a temporary file and a rename, keeping its permissions. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  const tmp = join(dirname(path), `.${basename(path)}.orch-new-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, text, { mode, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function removeFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Where templates come from, first match wins: `--templates DIR`, `x-orch.templates`, built-ins. */
export function templateDirs(
  flagDir: string | undefined,
  projectDir: string | undefined,
): { dir: string; source: string }[] {
  const dirs: { dir: string; source: string }[] = [];
  if (flagDir) dirs.push({ dir: resolve(flagDir), source: flagDir });
  if (projectDir) dirs.push({ dir: projectDir, source: projectDir });
  dirs.push({ dir: BUILTIN_TEMPLATES_DIR, source: 'builtin' });
  return dirs;
}
