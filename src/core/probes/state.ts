import type { ProbeStatus } from './types.js';

export interface ProbeState {
  readonly status: ProbeStatus;
  /** Consecutive failures that counted (those inside the start period do not). */
  readonly failingStreak: number;
}

export const initialProbeState: ProbeState = { status: 'starting', failingStreak: 0 };

export interface ProbeRules {
  readonly retries: number;
  readonly startPeriodMs: number;
  /** When the probed container (or the probe) started: the start period is measured from here. */
  readonly since: number;
}

/**
 * Docker's rules (moby daemon/health.go, handleProbeResult): a success makes the container
 * healthy and resets the streak; a failure counts unless the container has never been healthy and
 * the check began inside the start period; `retries` counted failures in a row make it unhealthy.
 */
export function nextProbeState(state: ProbeState, ok: boolean, at: number, rules: ProbeRules): ProbeState {
  if (ok) return { status: 'healthy', failingStreak: 0 };
  const inStartPeriod = state.status === 'starting' && at - rules.since < rules.startPeriodMs;
  if (inStartPeriod) return state;
  const failingStreak = state.failingStreak + 1;
  // retries 0 would mean "unhealthy before any failure"; Docker never allows that, nor do we.
  const status = failingStreak >= Math.max(1, rules.retries) ? 'unhealthy' : state.status;
  return { status, failingStreak };
}
