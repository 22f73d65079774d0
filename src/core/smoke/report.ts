import type { FailureReport } from '../engine/failure-report.js';
import type { Timeline } from '../engine/timeline.js';
import type { CheckResult, ServiceResult, SmokeOutcome, SmokeResult } from './types.js';

/** A replica as `ps` reports it (the session's rows, or the engine's when nothing was hosted). */
export interface ReplicaRow {
  readonly service: string;
  readonly container: string;
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
}

const HEALTH_RANK: Readonly<Record<string, number>> = { unhealthy: 3, starting: 2, healthy: 1, none: 0 };

/** Per service: did it become ready, and how it ended (worst health of its replicas, restarts summed). */
export function serviceResults(
  services: readonly string[],
  failures: readonly FailureReport[],
  timeline: Timeline | undefined,
  rows: readonly ReplicaRow[],
): ServiceResult[] {
  return [...services].sort().map((service) => {
    const failure = failures.find((f) => f.service === service);
    const mine = rows.filter((r) => r.service === service);
    const states = [...new Set(mine.map((r) => r.state))];
    const health = mine
      .map((r) => r.health)
      .reduce<string>((a, b) => ((HEALTH_RANK[b] ?? 0) > (HEALTH_RANK[a] ?? 0) ? b : a), 'none');
    return {
      service,
      ready: failure === undefined,
      ...(failure ? { reason: failure.reason } : {}),
      state: states.length > 0 ? states.join(', ') : 'missing',
      health,
      restarts: mine.reduce((n, r) => n + r.restarts, 0),
      timeline: { ...(timeline?.services[service] ?? {}) },
      replicas: mine.map((r) => ({
        container: r.container,
        state: r.state,
        health: r.health,
        restarts: r.restarts,
      })),
      lastLines: failure ? failure.replicas.flatMap((r) => r.lastLines.map((l) => `${r.name} | ${l}`)) : [],
    };
  });
}

export function smokeResult(input: {
  project: string;
  startedAt: Date;
  durationMs: number;
  gateway: string | null;
  interrupted: boolean;
  checks: readonly CheckResult[];
  services: readonly ServiceResult[];
  timeline: Timeline | undefined;
  startError?: string | undefined;
}): SmokeResult {
  const ok =
    input.startError === undefined &&
    !input.interrupted &&
    input.services.every((s) => s.ready) &&
    input.checks.every((c) => c.status === 'passed');
  const outcome: SmokeOutcome = input.interrupted ? 'interrupted' : ok ? 'passed' : 'failed';
  return {
    ok,
    outcome,
    project: input.project,
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    gateway: input.gateway,
    checks: input.checks,
    services: input.services,
    timeline: { upMs: input.timeline?.totalMs ?? 0, criticalPath: input.timeline?.criticalPath ?? [] },
    ...(input.startError !== undefined ? { startError: input.startError } : {}),
  };
}
