import type { ChalkInstance } from 'chalk';
import type { UpEvent } from '../core/engine/up.js';
import type { FailureReport } from '../core/engine/failure-report.js';
import type { Timeline } from '../core/engine/timeline.js';
import { formatDuration, renderTable } from './table.js';

/**
 * One line per step of `up`, the same words on a TTY and off it (where colour and symbols are
 * dropped), so scripts and people read the same story: `api: waiting on db` → `api: started`.
 */
export function renderUpEvent(e: UpEvent, elapsedMs: number, style: ChalkInstance): string | undefined {
  const t = style.dim(`[${(elapsedMs / 1000).toFixed(1).padStart(5)}s]`);
  const svc = (name: string): string => style.bold(name);
  switch (e.type) {
    case 'network':
    case 'volume':
      return `${t} ${e.type} ${e.name}: ${e.action}`;
    case 'orphan':
      return `${t} ${style.yellow(`removed orphan container ${e.name} (its service is no longer in the file)`)}`;
    case 'image':
      return e.action === 'present' ? undefined : `${t} ${svc(e.service)}: image ${e.image} ${e.action}`;
    case 'container':
      return `${t} ${svc(e.service)}: ${e.onHost ? 'host process' : 'container'} ${e.name} ${e.action}`;
    case 'waiting':
      return `${t} ${svc(e.service)}: ${style.yellow(`waiting on ${e.on.join(', ')}`)}`;
    case 'starting':
      return `${t} ${svc(e.service)}: starting`;
    case 'started':
      return `${t} ${svc(e.service)}: ${style.green('started')}`;
    case 'ready':
      return `${t} ${svc(e.service)}: ${style.green(e.condition)}`;
    case 'failed':
      return `${t} ${svc(e.service)}: ${style.red(`failed: ${e.reason}`)}`;
    case 'skipped':
      return `${t} ${svc(e.service)}: ${style.red(`not started: ${e.because}`)}`;
    case 'warning':
      return `${t} ${svc(e.service)}: ${style.yellow(`warning: ${e.message}`)}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

export function renderFailures(failures: readonly FailureReport[], style: ChalkInstance): string {
  const out: string[] = [];
  for (const f of failures) {
    out.push(style.red.bold(`✘ ${f.service}: ${f.reason}`));
    for (const r of f.replicas) {
      const code = r.exitCode !== null && r.state === 'exited' ? ` (exit ${r.exitCode})` : '';
      out.push(`  ${r.name}: ${r.state}${code}, health ${r.health}`);
      for (const p of r.probes) out.push(style.dim(`    probe ${p.ok ? 'ok  ' : 'FAIL'} ${p.detail}`));
      if (r.lastLines.length > 0) {
        out.push(style.dim(`    last ${r.lastLines.length} log lines:`));
        for (const l of r.lastLines) out.push(`    | ${l}`);
      }
    }
  }
  return out.join('\n');
}

export function renderTimeline(tl: Timeline, style: ChalkInstance): string {
  const fmt = (ms: number | undefined): string => (ms === undefined ? '-' : formatDuration(ms));
  const rows = Object.entries(tl.services)
    .sort(([, a], [, b]) => (a.started ?? 0) - (b.started ?? 0))
    .map(([name, t]) => [name, fmt(t.created), fmt(t.started), fmt(t.ready)]);
  return [
    style.bold(`start-up timeline (${formatDuration(tl.totalMs)})`),
    renderTable(['SERVICE', 'CREATED', 'STARTED', 'READY'], rows),
    `critical path: ${tl.criticalPath.join(' → ') || '-'}`,
  ].join('\n');
}
