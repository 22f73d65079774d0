import type { ChalkInstance } from 'chalk';
import type { OrchEvent, OrchEventBody, ReloadPhase, WatchPhase } from '../model/events.js';
import { formatDuration } from './table.js';

/**
 * The running stack's events as the foreground `up` narrates them: the supervisor's decisions,
 * `orch restart` steps and the watcher, one line (or a short paragraph) each. Facts the log
 * stream already shows (a start, a death, health, gateway membership) are left to `orch events`.
 */
export function narrateEvent(e: OrchEventBody, style: ChalkInstance): string | undefined {
  const who = 'replica' in e ? `${e.service}-${e.replica}` : 'service' in e ? e.service : '';
  switch (e.type) {
    case 'created':
    case 'started':
    case 'healthy':
    case 'unhealthy':
    case 'died':
    case 'stopped':
    case 'removed':
    case 'gateway-in':
    case 'gateway-out':
      return undefined;
    case 'restarting':
      return style.yellow(`orch: ${who} ${e.reason}; restarting in ${formatDuration(e.afterMs)}`);
    case 'restarted':
      return style.green(`orch: ${who} restarted (${e.restarts} restart${e.restarts === 1 ? '' : 's'})`);
    case 'crash-loop':
      return style.red(
        `orch: ${who} is crash-looping (${e.failures} failures in ${formatDuration(e.windowMs)}; last: ${e.lastReason})`,
      );
    case 'recovered':
      return style.green(`orch: ${who} is stable again${e.wasCrashLoop ? ' (out of the crash loop)' : ''}`);
    case 'gave-up':
      return style.red(`orch: ${who} not restarted again after ${e.attempts} attempts (${e.reason})`);
    case 'not-restarted':
      return style.dim(`orch: ${who} not restarted: ${e.reason}`);
    case 'waiting':
      return style.yellow(`orch: ${who} waiting on ${e.on.join(', ')}`);
    case 'regated':
      return style.green(`orch: ${who} restarted after ${e.after} recovered`);
    case 'breaker':
      // Opening is news in the foreground; half-open and closed follow from it (see `orch events`).
      return e.state === 'open'
        ? style.yellow(`orch: ${who} circuit open on route ${e.route}: no traffic for a while`)
        : e.state === 'closed'
          ? style.green(`orch: ${who} circuit closed on route ${e.route}: back in rotation`)
          : undefined;
    case 'scaled':
      return `orch: ${who} scaled ${e.from} → ${e.to}`;
    case 'autoscale':
      // The `scaled` line that follows says the rest; this one says why.
      return e.from === e.to
        ? style.yellow(`orch: ${who} autoscale: ${e.reason}`)
        : style.cyan(`orch: ${who} autoscale ${e.from} → ${e.to}: ${e.reason}`);
    case 'last-lines':
      return [style.dim(`orch: ${who} last lines:`), ...e.lines.map((l) => style.dim(`  | ${l}`))].join('\n');
    case 'rollout':
      // A watch rollout is narrated by the watch lines; `orch restart` by these two.
      if (e.cause !== 'restart' || (e.phase !== 'stopping' && e.phase !== 'healthy')) return undefined;
      return `orch: ${who} ${e.phase === 'stopping' ? 'restarting' : 'healthy again'}`;
    case 'watch':
      return narrateWatch(e, style);
    case 'reloaded':
      return narrateReload(e, style);
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

function narrateWatch(e: WatchPhase, style: ChalkInstance): string {
  switch (e.phase) {
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
    case 'error':
      return style.yellow(`watch: ${e.message}`);
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

function narrateReload(e: ReloadPhase, style: ChalkInstance): string {
  switch (e.phase) {
    case 'invalid':
      return style.red(`watch: the project file has errors; nothing was changed\n${indent(e.reason)}`);
    case 'plan':
      return style.cyan(`watch: project changed: ${e.plan}${e.notes.map((n) => `\n  note: ${n}`).join('')}`);
    case 'applied':
      return style.cyan(`watch: applied: ${e.plan} (${formatDuration(e.ms)})`);
    case 'failed':
      return style.red(
        `watch: applying the project change failed after ${formatDuration(e.ms)}\n${indent(e.reason)}`,
      );
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/**
 * One `orch events` line when not --json: `TIME TYPE SERVICE-REPLICA key=value ...`, the type's
 * own fields in the JSON form's order (strings quoted only when they need it), so a new event
 * type prints without a change here.
 */
export function eventLine(e: OrchEvent, style: ChalkInstance): string {
  const { time, type, ...rest } = e as unknown as Record<string, unknown> & { time: string; type: string };
  const service = typeof rest['service'] === 'string' ? rest['service'] : undefined;
  const replica = typeof rest['replica'] === 'number' ? rest['replica'] : undefined;
  delete rest['service'];
  delete rest['replica'];
  const who = service === undefined ? '-' : replica === undefined ? service : `${service}-${replica}`;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${fieldValue(v)}`);
  return [style.dim(time), colourOf(type, style)(type), style.bold(who), ...fields].join(' ');
}

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@+-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function colourOf(type: string, style: ChalkInstance): (s: string) => string {
  switch (type) {
    case 'died':
    case 'unhealthy':
    case 'crash-loop':
    case 'gave-up':
    case 'gateway-out':
      return style.red;
    case 'breaker':
      return style.yellow;
    case 'restarting':
    case 'waiting':
    case 'stopped':
      return style.yellow;
    case 'healthy':
    case 'started':
    case 'recovered':
    case 'gateway-in':
      return style.green;
    default:
      return style.cyan;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
