export { runProbe } from './run.js';
export { ProbeHistory } from './history.js';
export { initialProbeState, nextProbeState, type ProbeRules, type ProbeState } from './state.js';
export type { ProbeChangeListener, ProbeDeps, ProbeResult, ProbeStatus, ProbeTarget } from './types.js';
