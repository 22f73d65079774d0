export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const diags = (e as { diagnostics?: unknown }).diagnostics;
    if (Array.isArray(diags) && diags.length > 0)
      return [e.message, ...diags.map((d) => `  ${describeDiagnostic(d)}`)].join('\n');
    return e.message;
  }
  return String(e);
}

function describeDiagnostic(d: unknown): string {
  const x = d as { file?: unknown; line?: unknown; col?: unknown; message?: unknown };
  const where =
    typeof x.line === 'number' && x.line > 0
      ? `${String(x.file)}:${x.line}:${String(x.col)}`
      : String(x.file);
  return `${where}: ${String(x.message)}`;
}
