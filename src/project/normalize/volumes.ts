import { isAbsolute, resolve } from 'node:path';
import type { VolumeMount } from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isWindowsPath, windowsDrive } from '../relative-paths.js';
import { isRecord, toBool, toStr, type Ctx } from './values.js';

/**
 * Host path as compose reads it: `~` is HOME, relative paths resolve against the project dir, and
 * a Windows path (`C:\\data`, `C:/data`) is the engine's to read, so it stays as written.
 */
export function hostPath(ctx: Ctx, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(ctx.lookup('HOME') ?? '/', `.${p.slice(1)}`);
  return isAbsolute(p) || isWindowsPath(p) ? p : resolve(ctx.projectDir, p);
}

function looksLikePath(s: string): boolean {
  return s.startsWith('.') || s.startsWith('/') || s.startsWith('~') || /^[A-Za-z]:[\\/]/.test(s);
}

/**
 * One `volumes:` entry. Named volumes must be declared at the top level; `declared` is that set.
 */
export function parseVolume(
  ctx: Ctx,
  path: KeyPath,
  v: unknown,
  declared: ReadonlySet<string>,
): VolumeMount | undefined {
  if (isRecord(v)) return longVolume(ctx, path, v, declared);
  const text = String(v);
  // `C:\\data:/data`: the drive letter's colon is part of the source, not a separator.
  const drive = windowsDrive(text);
  const parts = text.slice(drive.length).split(':');
  parts[0] = drive + (parts[0] ?? '');
  if (parts.length > 1 && parts[0] === '' && parts[1] !== '') {
    // Usually `${UNSET}:/target`: the unset variable already warned; mount an anonymous volume.
    ctx.r.diags.warn(
      ctx.r.pos(path),
      `volume \`${text}\` has an empty source; using an anonymous volume`,
      path,
    );
    return { type: 'volume', target: parts[1] ?? '', readOnly: (parts[2] ?? '').split(',').includes('ro') };
  }
  if (parts.length > 3 || parts.includes('')) {
    ctx.r.error(path, `invalid volume \`${text}\``, 'use [SOURCE:]TARGET[:MODE], e.g. ./data:/data:ro');
    return undefined;
  }
  if (parts.length === 1) return { type: 'volume', target: text, readOnly: false };
  const [source = '', target = '', mode = ''] = parts;
  const readOnly = mode.split(',').includes('ro');
  if (looksLikePath(source)) return { type: 'bind', source: hostPath(ctx, source), target, readOnly };
  if (!declared.has(source)) undeclaredVolume(ctx, path, source);
  return { type: 'volume', source, target, readOnly };
}

function undeclaredVolume(ctx: Ctx, path: KeyPath, name: string): void {
  ctx.r.error(
    path,
    `named volume \`${name}\` is not declared in the top-level \`volumes:\``,
    `add \`volumes: { ${name}: {} }\` at the top level, or use ./${name} for a bind mount`,
  );
}

function longVolume(
  ctx: Ctx,
  path: KeyPath,
  v: Record<string, unknown>,
  declared: ReadonlySet<string>,
): VolumeMount | undefined {
  const type = toStr(v['type']) ?? 'volume';
  const target = toStr(v['target']);
  const readOnly = toBool(ctx, [...path, 'read_only'], v['read_only']) ?? false;
  if (!target) {
    ctx.r.error(path, 'volume is missing `target` (the path in the container)');
    return undefined;
  }
  const source = toStr(v['source']);
  switch (type) {
    case 'bind':
      if (!source) {
        ctx.r.error(path, 'bind mount is missing `source`');
        return undefined;
      }
      return { type: 'bind', source: hostPath(ctx, source), target, readOnly };
    case 'volume':
      if (source && !declared.has(source)) undeclaredVolume(ctx, [...path, 'source'], source);
      return source ? { type: 'volume', source, target, readOnly } : { type: 'volume', target, readOnly };
    case 'tmpfs':
      return { type: 'tmpfs', target, readOnly };
    default:
      ctx.r.error(
        [...path, 'type'],
        `volume type \`${type}\` is not supported by orch (bind, volume or tmpfs)`,
      );
      return undefined;
  }
}
