export { Autoscaler, type AutoscaleFigures, type AutoscalerOptions, type Scaler } from './autoscaler.js';
export { decide, type Decision, type DeciderState, type Reading, type Step } from './decide.js';
export { LoadWindow } from './window.js';
export { keepAutoscaledCounts } from './live-edit.js';
