import type {
  FileMount,
  FileObjectSpec,
  NetworkSpec,
  ServiceNetwork,
  VolumeSpec,
} from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { hostPath } from './volumes.js';
import { isRecord, stringRecord, toBool, toInt, toStr, toStrList, type Ctx } from './values.js';

/** `external: true` (name = key), `external: {name}` (old form) or a plain `name:`. */
function engineName(ctx: Ctx, path: KeyPath, key: string, spec: Record<string, unknown>) {
  const ext = spec['external'];
  const legacy = isRecord(ext) ? toStr(ext['name']) : undefined;
  const external =
    legacy !== undefined || (toBool(ctx, [...path, 'external'], isRecord(ext) ? true : ext) ?? false);
  const name = toStr(spec['name']) ?? legacy ?? (external ? key : `${ctx.projectName}_${key}`);
  return { name, external };
}

export function parseNetworks(ctx: Ctx, v: unknown, needDefault: boolean): Record<string, NetworkSpec> {
  const out: Record<string, NetworkSpec> = {};
  const entries = isRecord(v) ? Object.entries(v) : [];
  if (needDefault && !entries.some(([k]) => k === 'default')) entries.unshift(['default', null]);
  for (const [key, raw] of entries) {
    const spec = isRecord(raw) ? raw : {};
    const path = ['networks', key];
    const driver = toStr(spec['driver']);
    out[key] = {
      ...engineName(ctx, path, key, spec),
      ...(driver !== undefined ? { driver } : {}),
      internal: toBool(ctx, [...path, 'internal'], spec['internal']) ?? false,
      labels: stringRecord(spec['labels']),
    };
  }
  return out;
}

export function parseVolumes(ctx: Ctx, v: unknown): Record<string, VolumeSpec> {
  const out: Record<string, VolumeSpec> = {};
  for (const [key, raw] of isRecord(v) ? Object.entries(v) : []) {
    const spec = isRecord(raw) ? raw : {};
    const driver = toStr(spec['driver']);
    out[key] = {
      ...engineName(ctx, ['volumes', key], key, spec),
      ...(driver !== undefined ? { driver } : {}),
      labels: stringRecord(spec['labels']),
    };
  }
  return out;
}

/** Top-level `secrets:` / `configs:`. Files are not read here: validate must work without them. */
export function parseFileObjects(
  ctx: Ctx,
  section: 'secrets' | 'configs',
  v: unknown,
): Record<string, FileObjectSpec> {
  const out: Record<string, FileObjectSpec> = {};
  for (const [key, raw] of isRecord(v) ? Object.entries(v) : []) {
    const spec = isRecord(raw) ? raw : {};
    const path = [section, key];
    const file = toStr(spec['file']);
    const environment = toStr(spec['environment']);
    const content = section === 'configs' ? toStr(spec['content']) : undefined;
    const external =
      toBool(ctx, [...path, 'external'], isRecord(spec['external']) ? true : spec['external']) ?? false;
    const sources = [file, environment, content].filter((x) => x !== undefined).length;
    if (!external && sources !== 1) {
      const kinds = section === 'configs' ? '`file`, `environment` or `content`' : '`file` or `environment`';
      ctx.r.errorAtKey(path, `${section.slice(0, -1)} \`${key}\` needs exactly one of ${kinds}`);
    }
    out[key] = {
      name: toStr(spec['name']) ?? key,
      ...(file !== undefined ? { file: hostPath(ctx, file) } : {}),
      ...(environment !== undefined ? { environment } : {}),
      ...(content !== undefined ? { content } : {}),
      external,
    };
  }
  return out;
}

/** A service's `secrets:` / `configs:` grants, short or long form. */
export function parseFileMounts(
  ctx: Ctx,
  path: KeyPath,
  section: 'secrets' | 'configs',
  v: unknown,
  declared: ReadonlySet<string>,
): FileMount[] {
  const out: FileMount[] = [];
  (Array.isArray(v) ? v : []).forEach((item, i) => {
    const at = [...path, i];
    const spec: Record<string, unknown> = isRecord(item) ? item : { source: item };
    const source = toStr(spec['source']);
    if (!source) {
      ctx.r.error(at, `${section.slice(0, -1)} is missing \`source\``);
      return;
    }
    if (!declared.has(source)) {
      ctx.r.error(
        isRecord(item) ? [...at, 'source'] : at,
        `${section.slice(0, -1)} \`${source}\` is not declared in the top-level \`${section}:\``,
      );
    }
    const t = toStr(spec['target']);
    const base = section === 'secrets' ? '/run/secrets/' : '/';
    const target = t === undefined ? `${base}${source}` : t.startsWith('/') ? t : `${base}${t}`;
    const rawMode = spec['mode'];
    const mode =
      typeof rawMode === 'string' && /^0[0-7]+$/.test(rawMode)
        ? parseInt(rawMode, 8)
        : toInt(ctx, [...at, 'mode'], rawMode);
    out.push({ source, target, ...(mode !== undefined ? { mode } : {}) });
  });
  return out;
}

/** A service's `networks:`; none given means the project's `default` network. */
export function parseServiceNetworks(
  ctx: Ctx,
  path: KeyPath,
  v: unknown,
  declared: ReadonlySet<string>,
): Record<string, ServiceNetwork> {
  const out: Record<string, ServiceNetwork> = {};
  const entries: [string, unknown, KeyPath][] = Array.isArray(v)
    ? v.map((n, i) => [String(n), null, [...path, i]])
    : isRecord(v)
      ? Object.entries(v).map(([k, spec]) => [k, spec, [...path, k]])
      : [];
  if (v === undefined || v === null) return { default: { aliases: [] } };
  for (const [name, spec, at] of entries) {
    if (name !== 'default' && !declared.has(name)) {
      ctx.r.errorAtKey(at, `network \`${name}\` is not declared in the top-level \`networks:\``);
    }
    out[name] = { aliases: isRecord(spec) ? toStrList(spec['aliases']) : [] };
  }
  return out;
}
