import type { ProbeSpec } from '../../model/project.js';
import { checkOnce, type PollingProbeSpec } from './checks.js';
import { ProbeHistory } from './history.js';
import { runLogProbe } from './log.js';
import { initialProbeState, nextProbeState } from './state.js';
import type { ProbeChangeListener, ProbeDeps, ProbeTarget } from './types.js';
import { sleepOrAbort } from './wait.js';

/**
 * Runs one of orch's own probes against one replica until `signal` aborts, then resolves (a probe
 * loop ending is the normal way of things, not an error). `onChange` is called on each status
 * transition, never for the initial `starting`; every result also goes into `history`.
 *
 * Unlike Docker, the first check runs at once rather than after one interval: orch wants a
 * dependent to start the moment its dependency is ready.
 */
export function runProbe(
  spec: ProbeSpec,
  target: ProbeTarget,
  deps: ProbeDeps,
  signal: AbortSignal,
  onChange: ProbeChangeListener,
  history: ProbeHistory = new ProbeHistory(),
): Promise<void> {
  switch (spec.kind) {
    case 'log':
      return runLogProbe(spec, target, deps, signal, onChange, history);
    case 'http':
    case 'tcp':
    case 'exec':
      return runPollingProbe(spec, target, deps, signal, onChange, history);
    default: {
      const _exhaustive: never = spec;
      return _exhaustive;
    }
  }
}

async function runPollingProbe(
  spec: PollingProbeSpec,
  target: ProbeTarget,
  deps: ProbeDeps,
  signal: AbortSignal,
  onChange: ProbeChangeListener,
  history: ProbeHistory,
): Promise<void> {
  const rules = { retries: spec.retries, startPeriodMs: spec.startPeriodMs, since: deps.clock.now() };
  let state = initialProbeState;
  let eager = true;
  while (!signal.aborted) {
    const at = deps.clock.now();
    const outcome = await checkOnce(spec, target, deps, signal);
    if (signal.aborted) return;
    const result = { ...outcome, at };
    // The check at start is orch's extra, early look: a pass makes the replica healthy at once,
    // a failure (the server not listening yet) does not count, as Docker's first check would
    // only have come one interval later.
    const counts = result.ok || !eager;
    eager = false;
    const next = counts ? nextProbeState(state, result.ok, at, rules) : state;
    history.record(result, next.status);
    if (next.status !== state.status) onChange(next.status, result);
    state = next;
    // Like Docker, the interval runs from the end of one check to the start of the next.
    if (!(await sleepOrAbort(deps.clock, spec.intervalMs, signal))) return;
  }
}
