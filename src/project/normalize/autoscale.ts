import type { AutoscaleMetric, AutoscaleSpec } from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toDuration, toInt, type Ctx } from './values.js';

export const AUTOSCALE_METRICS: readonly AutoscaleMetric[] = [
  'inflight_per_replica',
  'p95_ms',
  'cpu_percent',
];

/** Long enough that one burst does not resize a stack, short enough to see it work locally. */
export const DEFAULT_COOLDOWN_MS = 30_000;

/**
 * `x-orch.autoscale`: `{min, max, target: {one metric: value}, cooldown}`. Every problem is
 * reported at its own key; an invalid block yields no autoscaling (the errors stop the load).
 */
export function parseAutoscale(ctx: Ctx, path: KeyPath, v: unknown): AutoscaleSpec | undefined {
  if (!isRecord(v)) return undefined;
  const min = toInt(ctx, [...path, 'min'], v['min']) ?? 1;
  const max = toInt(ctx, [...path, 'max'], v['max']);
  let ok = max !== undefined;
  if (min < 1) {
    ctx.r.error(
      [...path, 'min'],
      `autoscale min must be at least 1 (got ${min})`,
      'a service at 0 replicas has no load to scale it up again; use min: 1',
    );
    ok = false;
  }
  if (max !== undefined && max < min) {
    ctx.r.error([...path, 'max'], `autoscale max (${max}) is below min (${min})`, 'make max ≥ min');
    ok = false;
  }
  const target = parseTarget(ctx, [...path, 'target'], v['target']);
  const cooldownMs = toDuration(ctx, [...path, 'cooldown'], v['cooldown'], true) ?? DEFAULT_COOLDOWN_MS;
  if (!ok || target === undefined || max === undefined) return undefined;
  return { min, max, target, cooldownMs, pos: ctx.r.pos(path) };
}

function parseTarget(ctx: Ctx, path: KeyPath, v: unknown): AutoscaleSpec['target'] | undefined {
  const t = isRecord(v) ? v : {};
  const set = AUTOSCALE_METRICS.filter((m) => t[m] !== undefined && t[m] !== null);
  if (set.length !== 1) {
    ctx.r.errorAtKey(
      path,
      `autoscale needs exactly one target (found ${set.join(', ') || 'none'})`,
      `keep one of ${AUTOSCALE_METRICS.join(', ')}, e.g. target: { inflight_per_replica: 8 }`,
    );
    return undefined;
  }
  const metric = set[0] as AutoscaleMetric;
  const raw = t[metric];
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(value) || value <= 0) {
    ctx.r.error(
      [...path, metric],
      `autoscale target ${metric} must be a number above 0 (got ${String(raw)})`,
    );
    return undefined;
  }
  return { metric, value };
}

/**
 * The replica count an autoscaled service starts with: `deploy.replicas` (or `scale`) inside
 * [min, max], else clamped into it. A written count outside the range gets a warning (the file
 * says two things); no count written simply starts at `min`.
 */
export function startReplicas(
  ctx: Ctx,
  path: KeyPath,
  svc: Record<string, unknown>,
  replicas: number,
  a: AutoscaleSpec | undefined,
): number {
  if (a === undefined || (replicas >= a.min && replicas <= a.max)) return replicas;
  const clamped = Math.min(a.max, Math.max(a.min, replicas));
  const deploy = isRecord(svc['deploy']) ? svc['deploy'] : {};
  const key =
    deploy['replicas'] !== undefined
      ? [...path, 'deploy', 'replicas']
      : svc['scale'] !== undefined
        ? [...path, 'scale']
        : undefined;
  if (key)
    ctx.r.warnAtKey(
      key,
      `${replicas} replicas is outside x-orch.autoscale [${a.min}, ${a.max}]: starting with ${clamped}`,
      'set the replica count inside the autoscale range, or drop it (the service starts at min)',
    );
  return clamped;
}
