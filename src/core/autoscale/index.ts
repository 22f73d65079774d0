export {
  Autoscaler,
  DEFAULT_INTERVAL_MS,
  DEFAULT_WINDOW_MS,
  type AutoscaleFigures,
  type AutoscalerOptions,
  type Scaler,
} from './autoscaler.js';
export { TOLERANCE, decide, type Decision, type DeciderState, type Reading, type Step } from './decide.js';
export { LoadWindow, MeanWindow } from './window.js';
export { keepAutoscaledCounts } from './live-edit.js';
