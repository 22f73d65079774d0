import type { ProbeSpec } from '../../model/project.js';
import type { ProbeHistory } from './history.js';
import type { ProbeChangeListener, ProbeDeps, ProbeTarget } from './types.js';
import { sleepOrAbort, untilAborted } from './wait.js';

type LogProbeSpec = Extract<ProbeSpec, { kind: 'log' }>;

/**
 * Readiness by log line: healthy once a line matches, and it stays so. A log line says "I got
 * this far", not "I am still fine", so this probe never makes a replica unhealthy.
 */
export async function runLogProbe(
  spec: LogProbeSpec,
  target: ProbeTarget,
  deps: ProbeDeps,
  signal: AbortSignal,
  onChange: ProbeChangeListener,
  history: ProbeHistory,
): Promise<void> {
  let pattern: RegExp;
  try {
    pattern = new RegExp(spec.pattern);
  } catch (e) {
    // Validation should have caught this; keep it visible in the history rather than crash a loop.
    history.record(
      { ok: false, detail: `invalid log pattern: ${(e as Error).message}`, at: deps.clock.now() },
      'starting',
    );
    return untilAborted(signal);
  }
  while (!signal.aborted) {
    const at = deps.clock.now();
    let detail: string;
    try {
      for await (const batch of deps.runtime.logs(target.replicaId, {
        follow: true,
        timestamps: false,
        signal,
      })) {
        const entry = batch.find((l) => pattern.test(l.line));
        if (!entry) continue;
        const result = {
          ok: true,
          detail: `log matched /${spec.pattern}/: ${entry.line}`,
          at: deps.clock.now(),
        };
        history.record(result, 'healthy');
        onChange('healthy', result);
        return untilAborted(signal);
      }
      detail = 'log stream ended without a matching line';
    } catch (e) {
      detail = `cannot follow logs: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (signal.aborted) return;
    history.record({ ok: false, detail, at }, 'starting');
    // The stream ends when the container stops; it may be restarted, so follow again (from the start).
    if (!(await sleepOrAbort(deps.clock, spec.intervalMs, signal))) return;
  }
}
