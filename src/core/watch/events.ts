import type { WatchAction } from '../../model/project.js';

/** What the watcher did, one event per action, for the log stream. */
export type WatchEvent =
  | {
      readonly type: 'watching';
      readonly services: readonly string[];
      readonly rules: number;
      readonly projectFiles: readonly string[];
    }
  | {
      readonly type: 'begin';
      readonly service: string;
      readonly action: WatchAction;
      /** Changed paths relative to the rule's path (a few; `more` counts the rest). */
      readonly changed: readonly string[];
      readonly more: number;
    }
  | {
      readonly type: 'done';
      readonly service: string;
      readonly action: WatchAction;
      readonly detail: string;
      readonly ms: number;
    }
  | {
      readonly type: 'failed';
      readonly service: string;
      readonly action: WatchAction;
      readonly reason: string;
      readonly ms: number;
    }
  | { readonly type: 'project-invalid'; readonly reason: string; readonly ms: number }
  | { readonly type: 'project-plan'; readonly plan: string; readonly notes: readonly string[] }
  | { readonly type: 'project-applied'; readonly plan: string; readonly ms: number }
  | { readonly type: 'project-failed'; readonly reason: string; readonly ms: number }
  | { readonly type: 'watch-error'; readonly message: string };

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
