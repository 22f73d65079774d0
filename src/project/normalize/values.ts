import type { PathReporter } from '../diagnostics.js';
import type { Lookup } from '../interpolate.js';
import { isRecord } from '../merge.js';
import type { KeyPath } from '../positions.js';

/** What every normalizer needs: where to report, and how to resolve relative paths and variables. */
export interface Ctx {
  readonly r: PathReporter;
  readonly projectDir: string;
  readonly projectName: string;
  /** The interpolation environment (process env, then .env / --env-file). */
  readonly lookup: Lookup;
}

export { isRecord };

/** Integers may arrive as strings after `${VAR}` interpolation. */
export function toInt(ctx: Ctx, path: KeyPath, v: unknown, min = 0): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min) {
    ctx.r.error(path, `\`${String(v)}\` is not a valid ${min >= 0 ? 'non-negative ' : ''}integer`);
    return undefined;
  }
  return n;
}

export function toBool(ctx: Ctx, path: KeyPath, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'y', 'on', '1'].includes(s)) return true;
  if (['false', 'no', 'n', 'off', '0'].includes(s)) return false;
  ctx.r.error(path, `\`${String(v)}\` is not a boolean (true or false)`);
  return undefined;
}

export function toStr(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function toStrList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go-style durations as compose writes them: `1m30s`, `300ms`, `1h`, `1.5s`. */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (t === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  return Math.round(total);
}

/** `bareSeconds`: orch's own settings also take a plain number of seconds. */
export function toDuration(ctx: Ctx, path: KeyPath, v: unknown, bareSeconds = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  const bare = typeof v === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(String(v));
  if (bare && bareSeconds) return Math.round(Number(v) * 1000);
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) {
    ctx.r.error(
      path,
      `\`${String(v)}\` is not a duration`,
      'use a number with a unit, e.g. 500ms, 10s, 1m30s',
    );
  }
  return ms;
}

/** Milliseconds back to Go's `time.Duration` text, which is what `docker compose config` prints. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** Split a command string like a POSIX shell would (quotes and backslashes, no expansion). */
export function shellSplit(s: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1] ?? '')) cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) out.push(cur);
  return out;
}

export function toCommand(ctx: Ctx, path: KeyPath, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  const words = shellSplit(String(v));
  if (!words) ctx.r.error(path, `unbalanced quotes in \`${String(v)}\``);
  return words;
}

/**
 * `KEY=VALUE` lists and maps into one record. `unset` decides what a key without a value becomes
 * (environment: looked up, else null; labels: "").
 */
export function toRecord(v: unknown, unset: (key: string) => string | null): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = unset(s);
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  } else if (isRecord(v)) {
    for (const [k, val] of Object.entries(v))
      out[k] = val === null || val === undefined ? unset(k) : String(val);
  }
  return out;
}

export function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(toRecord(v, () => ''))) out[k] = val ?? '';
  return out;
}
