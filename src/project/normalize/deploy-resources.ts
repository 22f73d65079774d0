import type { ResourceLimits, ServiceResources } from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toInt, type Ctx } from './values.js';

// The size grammar of go-units' RAMInBytes, which Compose uses for `memory`: a number, an optional
// binary unit (k, m, g, t, p; 1024-based) and optional "i"/"b". No npm package parses exactly this
// (the `bytes` package requires the "b" and rejects "512m"), so it is written out here.
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i;
const UNIT: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

function toBytes(ctx: Ctx, path: KeyPath, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const m = SIZE.exec(String(v).trim());
  if (!m) {
    ctx.r.error(path, `\`${String(v)}\` is not a size (e.g. 512m, 1.5g, or a number of bytes)`);
    return undefined;
  }
  return Math.round(Number(m[1]) * 1024 ** (UNIT[(m[2] ?? '').toLowerCase()] ?? 0));
}

function toCpus(ctx: Ctx, path: KeyPath, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n < 0) {
    ctx.r.error(path, `\`${String(v)}\` is not a number of CPUs (e.g. 0.5 or 2)`);
    return undefined;
  }
  return n;
}

function parseLimits(ctx: Ctx, path: KeyPath, v: unknown, withPids: boolean): ResourceLimits | undefined {
  if (!isRecord(v)) return undefined;
  const out: { -readonly [K in keyof ResourceLimits]: ResourceLimits[K] } = {};
  const cpus = toCpus(ctx, [...path, 'cpus'], v['cpus']);
  if (cpus !== undefined) out.cpus = cpus;
  const memory = toBytes(ctx, [...path, 'memory'], v['memory']);
  if (memory !== undefined) out.memoryBytes = memory;
  if (withPids) {
    const pids = toInt(ctx, [...path, 'pids'], v['pids']);
    if (pids !== undefined) out.pids = pids;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `deploy.resources`: limits (cpus, memory, pids) and reservations (cpus, memory). */
export function parseResources(ctx: Ctx, path: KeyPath, v: unknown): ServiceResources | undefined {
  if (!isRecord(v)) return undefined;
  const limits = parseLimits(ctx, [...path, 'limits'], v['limits'], true);
  const reservations = parseLimits(ctx, [...path, 'reservations'], v['reservations'], false);
  if (!limits && !reservations) return undefined;
  return { ...(limits ? { limits } : {}), ...(reservations ? { reservations } : {}) };
}
