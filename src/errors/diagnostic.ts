/** One problem found in a project file, pinned to where it is. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  /** 1-based; 0 when the problem has no single place (e.g. a missing file). */
  readonly line: number;
  readonly col: number;
  /** Dotted key path, e.g. `services.web.ports[0]`. */
  readonly key?: string;
  readonly message: string;
  readonly hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const head = `${where}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}
