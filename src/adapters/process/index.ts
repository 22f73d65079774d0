export { ProcessRuntime, ProcessNotFoundError, type ProcessRuntimeOptions } from './runtime.js';
export { processesDir } from './state.js';
