import type { ChalkInstance } from 'chalk';
import type { WatchEvent } from '../core/watch/index.js';
import { formatDuration } from './table.js';

/** One line (or a short paragraph, for failures) per watch event, for the log stream. */
export function renderWatchEvent(e: WatchEvent, style: ChalkInstance): string {
  switch (e.type) {
    case 'watching':
      return style.cyan(
        `watch: ${e.rules} rule${e.rules === 1 ? '' : 's'}${e.services.length > 0 ? ` (${e.services.join(', ')})` : ''}, and ${e.projectFiles.length} project file${e.projectFiles.length === 1 ? '' : 's'}`,
      );
    case 'begin': {
      const files = e.changed.join(', ') + (e.more > 0 ? ` and ${e.more} more` : '');
      return style.cyan(`watch: ${e.service} ${e.action}: ${files} changed`);
    }
    case 'done':
      return style.cyan(`watch: ${e.service} ${e.action}: ${e.detail} (${formatDuration(e.ms)})`);
    case 'failed':
      return style.red(
        `watch: ${e.service} ${e.action} failed after ${formatDuration(e.ms)}; the old replicas keep serving\n${indent(e.reason)}`,
      );
    case 'project-invalid':
      return style.red(`watch: the project file has errors; nothing was changed\n${indent(e.reason)}`);
    case 'project-plan':
      return style.cyan(`watch: project changed: ${e.plan}${e.notes.map((n) => `\n  note: ${n}`).join('')}`);
    case 'project-applied':
      return style.cyan(`watch: applied: ${e.plan} (${formatDuration(e.ms)})`);
    case 'project-failed':
      return style.red(
        `watch: applying the project change failed after ${formatDuration(e.ms)}\n${indent(e.reason)}`,
      );
    case 'watch-error':
      return style.yellow(`watch: ${e.message}`);
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
