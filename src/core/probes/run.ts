import type { ProbeSpec } from '../../model/project.js';
import { checkOnce, type PollingProbeSpec } from './checks.js';
import { ProbeHistory } from './history.js';
import { runLogProbe } from './log.js';
import { initialProbeState, nextProbeState } from './state.js';
import type { ProbeChangeListener, ProbeDeps, ProbeTarget } from './types.js';
import { sleepOrAbort } from './wait.js';
import { untilFirstPass } from './start.js';

export interface RunProbeOptions {
  /**
   * Until the first pass, an extra check runs this often besides the probe's own interval (the
   * service's `healthcheck.start_interval`, else orch's default): its pass makes the replica
   * healthy at once, its failures do not count.
   */
  readonly startIntervalMs?: number;
}

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
  opts: RunProbeOptions = {},
): Promise<void> {
  switch (spec.kind) {
    case 'log':
      return runLogProbe(spec, target, deps, signal, onChange, history);
    case 'http':
    case 'tcp':
    case 'exec':
      return runPollingProbe(spec, target, deps, signal, onChange, history, opts);
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
  opts: RunProbeOptions,
): Promise<void> {
  const rules = { retries: spec.retries, startPeriodMs: spec.startPeriodMs, since: deps.clock.now() };
  let state = initialProbeState;
  let eager = true;
  /** Once healthy, the start-interval checks are over for good (a restart brings a new loop). */
  let everHealthy = false;
  let stopFastProbe: (() => void) | undefined;
  const startInterval = opts.startIntervalMs;
  if (startInterval !== undefined && startInterval < spec.intervalMs) {
    const fast = new AbortController();
    const stopFast = (): void => fast.abort();
    signal.addEventListener('abort', stopFast, { once: true });
    const check = (s: AbortSignal) => checkOnce(spec, target, deps, s);
    // The loop below checks at once; the fast checks fill the gaps after it.
    const firstPass = sleepOrAbort(deps.clock, startInterval, fast.signal).then((slept) =>
      slept ? untilFirstPass(check, deps.clock, startInterval, fast.signal) : undefined,
    );
    void firstPass.then((outcome) => {
      signal.removeEventListener('abort', stopFast);
      // The probe's own loop may have seen a pass first, or judged since: then this is no news.
      if (!outcome || signal.aborted || state.status !== 'starting' || everHealthy) return;
      const result = { ...outcome, at: deps.clock.now() };
      state = nextProbeState(state, true, result.at, rules);
      everHealthy = true;
      history.record(result, state.status);
      onChange(state.status, result);
    }, stopFast);
    stopFastProbe = stopFast;
  }
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
    // A verdict of its own ends the start-interval checks (a restart brings a new loop).
    if (state.status !== 'starting') {
      everHealthy ||= state.status === 'healthy';
      stopFastProbe?.();
    }
    // Like Docker, the interval runs from the end of one check to the start of the next.
    if (!(await sleepOrAbort(deps.clock, spec.intervalMs, signal))) return;
  }
}
