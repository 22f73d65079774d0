import { isAbsolute, resolve } from 'node:path';
import { isRecord } from './merge.js';

/**
 * Build contexts the engine fetches itself: git and http(s) URLs, any `scheme://`, and the short
 * forms Docker accepts (`git@host:repo`, `github.com/org/repo`). They are passed on as written.
 */
export function isRemoteContext(s: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(s) || s.startsWith('git@') || s.startsWith('github.com/');
}

/** `C:\data`, `C:/data`, `\\server\share`: a Windows host path, kept as written on any OS. */
export function isWindowsPath(s: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\');
}

/**
 * The `C:` of a short-form volume whose source is a Windows path: `C:\\x:/y`, or `C:/x:/y` (a
 * further colon must follow, so the named volume `v` in `v:/data` stays a volume).
 */
export function windowsDrive(text: string): string {
  if (/^[A-Za-z]:\\/.test(text) || (/^[A-Za-z]:\//.test(text) && text.indexOf(':', 2) > 0))
    return text.slice(0, 2);
  return '';
}

/** A host path that `dir` makes absolute; `~`, absolute, Windows and remote paths stay as written. */
function against(dir: string, p: string): string {
  if (p === '' || p === '~' || p.startsWith('~/') || isAbsolute(p) || isWindowsPath(p)) return p;
  return resolve(dir, p);
}

/** Short-form volume `SOURCE:TARGET[:MODE]` whose source is a relative host path. */
function shortVolume(dir: string, v: string): string {
  const colon = v.indexOf(':', windowsDrive(v).length);
  if (colon < 0) return v;
  const source = v.slice(0, colon);
  if (!source.startsWith('.')) return v;
  return `${against(dir, source)}${v.slice(colon)}`;
}

function envFile(dir: string, v: unknown): unknown {
  if (typeof v === 'string') return against(dir, v);
  if (isRecord(v) && typeof v['path'] === 'string') return { ...v, path: against(dir, v['path']) };
  return v;
}

/**
 * One service with its relative host paths made absolute against `dir` (the directory of the file
 * that declares them), for `extends: {file}` and `include`, whose files live elsewhere.
 */
export function resolveServicePaths(svc: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...svc };
  const build = out['build'];
  if (typeof build === 'string') {
    out['build'] = isRemoteContext(build) ? build : against(dir, build);
  } else if (isRecord(build)) {
    const ctx = typeof build['context'] === 'string' ? build['context'] : '.';
    out['build'] = { ...build, context: isRemoteContext(ctx) ? ctx : against(dir, ctx) };
  }
  const env = out['env_file'];
  if (env !== undefined)
    out['env_file'] = Array.isArray(env) ? env.map((e) => envFile(dir, e)) : envFile(dir, env);
  if (Array.isArray(out['volumes'])) {
    out['volumes'] = out['volumes'].map((v: unknown) => {
      if (typeof v === 'string') return shortVolume(dir, v);
      if (isRecord(v) && v['type'] === 'bind' && typeof v['source'] === 'string')
        return { ...v, source: against(dir, v['source']) };
      return v;
    });
  }
  const ext = out['extends'];
  if (isRecord(ext) && typeof ext['file'] === 'string')
    out['extends'] = { ...ext, file: against(dir, ext['file']) };
  const develop = out['develop'];
  if (isRecord(develop) && Array.isArray(develop['watch'])) {
    const watch = develop['watch'].map((w: unknown) =>
      isRecord(w) && typeof w['path'] === 'string' ? { ...w, path: against(dir, w['path']) } : w,
    );
    out['develop'] = { ...develop, watch };
  }
  return out;
}

/** A whole included file: every service, and the `file:` of top-level secrets and configs. */
export function resolveFilePaths(raw: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...raw };
  const services = out['services'];
  if (isRecord(services)) {
    out['services'] = Object.fromEntries(
      Object.entries(services).map(([k, s]) => [k, isRecord(s) ? resolveServicePaths(s, dir) : s]),
    );
  }
  for (const section of ['secrets', 'configs']) {
    const entries = out[section];
    if (!isRecord(entries)) continue;
    out[section] = Object.fromEntries(
      Object.entries(entries).map(([k, e]) => [
        k,
        isRecord(e) && typeof e['file'] === 'string' ? { ...e, file: against(dir, e['file']) } : e,
      ]),
    );
  }
  return out;
}
