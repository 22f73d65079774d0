import type { ChalkInstance } from 'chalk';
import { stringify } from 'yaml';
import type { ExportWarning } from '../core/export/index.js';

/** `orch: warning: api: x-orch.probe.log: …`, one line per key that was not translated faithfully. */
export function renderExportWarnings(
  target: string,
  warnings: readonly ExportWarning[],
  style: ChalkInstance,
): string {
  return warnings
    .map((w) =>
      style.yellow(
        `orch: warning: ${target}: ${w.service !== undefined ? `${w.service}: ` : ''}${w.key}: ${w.message}`,
      ),
    )
    .join('\n');
}

/** One YAML document; YAML 1.1 quoting so 1.1 readers (kubectl, docker stack) read `"no"` and `"on"` as strings. */
export function yamlDocument(doc: unknown): string {
  return stringify(doc, { lineWidth: 0, compat: 'yaml-1.1', aliasDuplicateObjects: false });
}

/** Several documents as one multi-document YAML stream. */
export function yamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => `---\n${yamlDocument(d)}`).join('');
}
