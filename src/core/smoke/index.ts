export * from './types.js';
export { runChecks, skipAll, checkTarget, DEFAULT_RETRY_DELAY_MS } from './run.js';
export { evaluateResponse, bodyMatcher } from './expect.js';
export { parseJsonPath, lookupJson, jsonEqual } from './json-path.js';
export { renderJUnit } from './junit.js';
export { escapeAttr, escapeText, xmlSafe } from './xml.js';
export { serviceResults, smokeResult, type ReplicaRow } from './report.js';
