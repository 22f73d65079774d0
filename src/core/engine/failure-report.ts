import type { ProbeResult } from '../probes/index.js';
import type { ReplicaTracker } from './replica-tracker.js';

export interface FailureReport {
  readonly service: string;
  readonly reason: string;
  readonly replicas: readonly {
    readonly name: string;
    readonly state: string;
    readonly health: string;
    readonly exitCode: number | null;
    readonly probes: readonly ProbeResult[];
    readonly lastLines: readonly string[];
  }[];
}

/** What a person needs to see for a service that failed: state, last probe results, last 20 lines. */
export async function failureReport(
  service: string,
  reason: string,
  tracker: ReplicaTracker,
): Promise<FailureReport> {
  const replicas = await Promise.all(
    tracker.of(service).map(async (r) => {
      const lastLines: string[] = [];
      try {
        for await (const batch of tracker
          .runtimeOf(r)
          .logs(r.id, { follow: false, tail: 20, timestamps: false }))
          for (const l of batch) lastLines.push(l.line);
      } catch {
        // A replica already removed has no logs to show; the reason says enough.
      }
      return {
        name: r.name,
        state: r.state,
        health: tracker.health(r),
        exitCode: r.exitCode,
        probes: r.probeHistory.recent(),
        lastLines,
      };
    }),
  );
  return { service, reason, replicas };
}
