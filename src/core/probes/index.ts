export { runProbe, type RunProbeOptions } from './run.js';
export { ProbeHistory } from './history.js';
export { initialProbeState, nextProbeState, type ProbeRules, type ProbeState } from './state.js';
export { DEFAULT_START_INTERVAL_MS, startIntervalOf } from './start.js';
export type { ProbeChangeListener, ProbeDeps, ProbeResult, ProbeStatus, ProbeTarget } from './types.js';
