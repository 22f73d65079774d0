export { ExitCode } from './exit-codes.js';
export { catalogue, type ErrorCode } from './catalogue.js';
export { OrchError, isOrchError } from './orch-error.js';
export { formatDiagnostic, type Diagnostic } from './diagnostic.js';
