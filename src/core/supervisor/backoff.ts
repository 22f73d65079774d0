import type { ServiceSpec } from '../../model/project.js';
import { effectivePolicy } from './policy.js';

/** A replica that has been healthy (or running, without a health source) this long starts afresh. */
export const STABLE_AFTER_MS = 10_000;

/**
 * Downward jitter: each delay is the nominal one scaled by a factor in (1 - JITTER, 1]. Replicas
 * crashing together spread out, yet no delay ever exceeds its nominal value or the cap.
 */
export const JITTER = 0.2;

export interface BackoffSpec {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * `x-orch.backoff`, with deploy `delay` as the base when set. A deploy delay above `max` raises the
 * cap to it: the user asked for at least that long between attempts.
 */
export function backoffSpec(
  spec: Pick<ServiceSpec, 'restart' | 'deployRestartPolicy' | 'orch'>,
): BackoffSpec {
  const delay = effectivePolicy(spec).delayMs;
  const initialMs = delay ?? spec.orch.backoff.initialMs;
  return { initialMs, maxMs: Math.max(spec.orch.backoff.maxMs, initialMs) };
}

/** Nominal delay before restart number `attempt` (0-based): initial · 2^attempt, capped. */
export function nominalDelay(spec: BackoffSpec, attempt: number): number {
  // Past 2^40 the product is beyond any sane cap; stop doubling before it overflows to Infinity.
  const factor = 2 ** Math.min(attempt, 40);
  return Math.min(spec.maxMs, spec.initialMs * factor);
}

/** `random` in [0, 1), injectable so tests are deterministic. */
export function jittered(nominalMs: number, random: () => number): number {
  return Math.round(nominalMs * (1 - JITTER * random()));
}

/** One replica's position in its backoff sequence. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly spec: BackoffSpec,
    private readonly random: () => number,
  ) {}

  /** The delay before the next restart, advancing the sequence. */
  next(): number {
    const ms = jittered(nominalDelay(this.spec, this.attempt), this.random);
    this.attempt++;
    return ms;
  }

  /** Restarts since the replica was last stable. */
  get attempts(): number {
    return this.attempt;
  }

  get maxMs(): number {
    return this.spec.maxMs;
  }

  reset(): void {
    this.attempt = 0;
  }
}
