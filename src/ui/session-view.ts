import type { ChalkInstance } from 'chalk';
import type { SessionEvent } from '../core/session/session.js';
import { formatDuration } from './table.js';

/** The supervisor's decisions, one line each, as they happen. */
export function renderSessionEvent(e: SessionEvent, style: ChalkInstance): string {
  const who = 'replica' in e ? `${e.service}-${e.replica}` : e.service;
  switch (e.type) {
    case 'restarting':
      return style.yellow(`orch: ${who} ${e.reason}; restarting in ${formatDuration(e.afterMs)}`);
    case 'restarted':
      return style.green(`orch: ${who} restarted (${e.restarts} restart${e.restarts === 1 ? '' : 's'})`);
    case 'crashloop':
      return style.red(
        `orch: ${who} is crash-looping (${e.failures} failures in ${formatDuration(e.windowMs)}; last: ${e.lastReason})`,
      );
    case 'recovered':
      return style.green(`orch: ${who} is stable again${e.wasCrashLoop ? ' (out of the crash loop)' : ''}`);
    case 'gave-up':
      return style.red(`orch: ${who} not restarted again after ${e.attempts} attempts (${e.reason})`);
    case 'not-restarted':
      return style.dim(`orch: ${who} not restarted: ${e.reason}`);
    case 'waiting-on':
      return style.yellow(`orch: ${who} waiting on ${e.on.join(', ')}`);
    case 'regated':
      return style.green(`orch: ${who} restarted after ${e.after} recovered`);
    case 'scaled':
      return `orch: ${who} scaled ${e.from} → ${e.to}`;
    case 'last-lines':
      return [style.dim(`orch: ${who} last lines:`), ...e.lines.map((l) => style.dim(`  | ${l}`))].join('\n');
    case 'rolling-restart':
      return `orch: ${who} ${e.phase === 'stopping' ? 'restarting' : 'healthy again'}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
