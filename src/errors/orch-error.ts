import { catalogue, type ErrorCode } from './catalogue.js';
import type { Diagnostic } from './diagnostic.js';

/** The one error type orch throws on purpose. Anything else reaching the CLI is a bug (exit 70). */
export class OrchError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string;
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; diagnostics?: readonly Diagnostic[]; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OrchError';
    this.code = code;
    this.exitCode = catalogue[code].exit;
    this.hint = opts.hint ?? catalogue[code].hint;
    this.diagnostics = opts.diagnostics ?? [];
  }
}

export function isOrchError(e: unknown): e is OrchError {
  return e instanceof OrchError;
}
