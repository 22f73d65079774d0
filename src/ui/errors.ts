import { formatDiagnostic, type Diagnostic, type OrchError } from '../errors/index.js';
import type { ChalkInstance } from 'chalk';

/** `orch: file:line:col: message` lines for diagnostics (warnings or errors), one per problem. */
export function renderDiagnostics(diags: readonly Diagnostic[], style: ChalkInstance): string {
  return diags
    .map((d) => {
      const text = formatDiagnostic(d);
      const first = `orch: ${text}`;
      return d.severity === 'warning' ? style.yellow(first) : style.red(first);
    })
    .join('\n');
}

/** One short paragraph: what went wrong and, where it helps, a hint line. */
export function renderError(err: OrchError, style: ChalkInstance): string {
  const parts: string[] = [];
  if (err.diagnostics.length > 0) parts.push(renderDiagnostics(err.diagnostics, style));
  parts.push(style.red(`orch: ${err.message}`));
  if (err.hint) parts.push(style.dim(`  hint: ${err.hint}`));
  return parts.join('\n');
}

export function renderInternalError(err: unknown, debug: boolean, style: ChalkInstance): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = [style.red(`orch: internal error: ${msg}`)];
  lines.push(
    style.dim(
      '  hint: this is a bug in orch: please report it at https://github.com/orch-dev/orch/issues with the output of the same command run with --debug',
    ),
  );
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n');
}

/** The --json form of an error (README "JSON output"): one object, printed on stderr. */
export interface ErrorEnvelope {
  error: {
    /** The error's kind, stable for scripts: `project-invalid`, `usage`, `internal`, ... */
    code: string;
    /** What the paragraph says: each problem as `file:line:col: ...`, then the summary. */
    message: string;
    hint: string;
    /** Project-file problems, one object each, when the error is about the file. */
    problems?: Diagnostic[];
    /** Only with --debug. */
    stack?: string;
  };
}

export function errorEnvelope(err: OrchError): ErrorEnvelope {
  const lines = err.diagnostics.map(formatDiagnostic);
  return {
    error: {
      code: err.code.toLowerCase().replaceAll('_', '-'),
      message: [...lines, err.message].join('\n'),
      hint: err.hint,
      ...(err.diagnostics.length > 0 ? { problems: [...err.diagnostics] } : {}),
    },
  };
}
