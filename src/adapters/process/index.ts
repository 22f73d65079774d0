export { ProcessRuntime } from './runtime.js';
export { processesDir } from './state.js';
export { freePort } from './ports.js';
