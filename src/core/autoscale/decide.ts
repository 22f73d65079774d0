import type { AutoscaleSpec } from '../../model/project.js';

/**
 * Within ±10% of the target nothing changes, as in Kubernetes' HPA: a figure that hovers around
 * its target must not make the replica count flap.
 */
export const TOLERANCE = 0.1;

/** What the decider remembers between ticks of one service. */
export interface DeciderState {
  /** When the autoscaler last changed the replica count. */
  readonly lastChangeAt?: number;
  /**
   * Since when every tick wanted fewer replicas, and the most replicas any of those ticks
   * wanted (the stabilization window: a scale-down goes only as far as the whole window allows).
   */
  readonly low?: { readonly since: number; readonly most: number };
}

export interface Reading {
  readonly now: number;
  /** The replica count the service runs at now. */
  readonly current: number;
  /** The metric, per replica for in-flight requests; undefined when there is no figure yet. */
  readonly value: number | undefined;
}

export interface Decision {
  readonly to: number;
  readonly reason: string;
}

export interface Step {
  readonly state: DeciderState;
  /** Set when the replica count should change now. */
  readonly decision?: Decision;
}

/**
 * One tick's decision for one service (pure; time comes in the reading). The desired count is
 * `ceil(current × value / target)` clamped to [min, max]; scaling up waits `cooldown` after the
 * last change, scaling down waits until the figure stayed low for `cooldown`.
 */
export function decide(spec: AutoscaleSpec, state: DeciderState, r: Reading): Step {
  const { min, max, cooldownMs } = spec;
  const { metric, value: target } = spec.target;
  const changed = (to: number, reason: string): Step => ({
    state: { lastChangeAt: r.now },
    decision: { to, reason },
  });
  const hold: Step = {
    state: { ...(state.lastChangeAt !== undefined ? { lastChangeAt: state.lastChangeAt } : {}) },
  };
  if (r.current < min) return changed(min, `${r.current} replicas is below min ${min}`);
  if (r.current > max) return changed(max, `${r.current} replicas is above max ${max}`);
  if (r.value === undefined) return hold;
  const ratio = r.value / target;
  if (Math.abs(ratio - 1) <= TOLERANCE) return hold;
  // The epsilon keeps an exact multiple (3 × 4/4) from rounding up through float error.
  const desired = Math.min(max, Math.max(min, Math.ceil(r.current * ratio - 1e-9)));
  const figure = `${metric} ${round(r.value)} vs target ${target}`;
  if (desired > r.current) {
    const since = state.lastChangeAt === undefined ? Infinity : r.now - state.lastChangeAt;
    if (since < cooldownMs) return hold;
    return changed(desired, `${figure} (above by more than ${TOLERANCE * 100}%)`);
  }
  if (desired === r.current) return hold;
  const low = state.low
    ? { since: state.low.since, most: Math.max(state.low.most, desired) }
    : { since: r.now, most: desired };
  const quiet = state.lastChangeAt === undefined || r.now - state.lastChangeAt >= cooldownMs;
  if (r.now - low.since >= cooldownMs && quiet)
    return changed(
      low.most,
      `${figure} (below by more than ${TOLERANCE * 100}% for ${seconds(r.now - low.since)})`,
    );
  return { state: { ...hold.state, low } };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
