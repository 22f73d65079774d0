import { carriesId, extractIds, mayCarryIds } from './correlate.js';
import type { LogRecord } from './types.js';

/** What the user asked to see. */
export interface LogQuery {
  readonly services?: readonly string[];
  /** Normalised ts: only lines stamped at or after it. */
  readonly sinceTs?: string;
  readonly grep?: RegExp;
  /** Request id or trace id. */
  readonly traceId?: string;
  /** Last N lines per replica (container), after the other filters. */
  readonly tail?: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: a duration back from `nowMs` (`10m`, `1h30m`, `90s`, `500ms`), a time (RFC3339 or
 * anything Date.parse reads), or unix seconds. Returns epoch milliseconds, or undefined if unreadable.
 */
export function parseSince(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  if (/^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/.test(t)) {
    let total = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
      total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
    return nowMs - total;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Math.floor(Number(t) * 1000);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch ms as a normalised ts, for comparing with records. */
export function msToTs(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

/** The per-line test for a query (services are selected at the source; checked again for the store). */
export function recordFilter(q: LogQuery): ((r: LogRecord) => boolean) | undefined {
  const tests: ((r: LogRecord) => boolean)[] = [];
  const services = q.services && q.services.length > 0 ? new Set(q.services) : undefined;
  if (services) tests.push((r) => services.has(r.service));
  const since = q.sinceTs;
  if (since !== undefined) tests.push((r) => r.ts >= since);
  const grep = q.grep;
  if (grep) tests.push((r) => grep.test(r.line));
  const id = q.traceId;
  if (id !== undefined) tests.push((r) => r.requestId === id || r.traceId === id || carriesId(r.line, id));
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  return (r) => tests.every((t) => t(r));
}

/** Applies the filter and then `tail` to one replica's lines (already in order). */
export function applyQuery<T extends LogRecord>(lines: readonly T[], q: LogQuery): readonly T[] {
  const keep = recordFilter(q);
  const kept = keep ? lines.filter(keep) : lines;
  return q.tail !== undefined && kept.length > q.tail ? kept.slice(kept.length - q.tail) : kept;
}

/** Last `n` lines of each replica in a mixed, ordered list (what `docker logs --tail` does per container). */
export function tailPerReplica<T extends LogRecord>(records: readonly T[], n: number): T[] {
  const seen = new Map<string, number>();
  const keep: boolean[] = new Array<boolean>(records.length).fill(false);
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i] as T;
    const k = `${r.service}\u0000${r.replica}`;
    const c = seen.get(k) ?? 0;
    if (c < n) {
      keep[i] = true;
      seen.set(k, c + 1);
    }
  }
  return records.filter((_, i) => keep[i]);
}

/** The record with its correlation ids, when it carries any (only worth it for --json/--trace). */
export function withIds<T extends LogRecord>(r: T): T {
  if (r.requestId !== undefined || r.traceId !== undefined || !mayCarryIds(r.line)) return r;
  const ids = extractIds(r.line);
  return ids.requestId === undefined && ids.traceId === undefined ? r : { ...r, ...ids };
}

/** Identity of a line across the engine and the store. */
export function lineKey(r: LogRecord): string {
  return `${r.ts}\u0000${r.service}\u0000${r.replica}\u0000${r.line}`;
}
