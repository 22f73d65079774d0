import { accessRecord, type AccessFacts } from '../core/logs/access.js';
import type { ChalkInstance } from 'chalk';
import type { CheckEvent, CheckResult, SmokeResult } from '../core/smoke/index.js';
import { formatDuration, renderTable } from './table.js';

/** Progress, one line per check as it finishes (and per retry), so a hanging check is visible. */
export function renderCheckEvent(e: CheckEvent, total: number, style: ChalkInstance): string | undefined {
  const n = style.dim(`[${e.index + 1}/${total}]`);
  switch (e.type) {
    case 'check-start':
      return undefined;
    case 'check-retry':
      return `${n} ${style.yellow(`retry ${e.attempt}: ${e.reason}`)}`;
    case 'check-done':
      return `${n} ${checkLine(e.result, style)}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** The summary on stderr: a table of checks, then every failure spelled out. */
export function renderSmokeSummary(r: SmokeResult, style: ChalkInstance): string {
  const out: string[] = [];
  if (r.checks.length > 0) {
    out.push(
      renderTable(
        ['CHECK', 'TARGET', 'RESULT', 'TIME', 'TRIES'],
        r.checks.map((c) => [c.name, c.target, c.status, formatDuration(c.durationMs), String(c.attempts)]),
      ),
    );
  } else out.push(style.dim('no smoke checks (x-orch.smoke is empty): only start-up was tested'));

  for (const s of r.services.filter((x) => !x.ready)) {
    out.push(style.red.bold(`✘ service ${s.service} did not become healthy: ${s.reason ?? s.state}`));
    out.push(`  state ${s.state}, health ${s.health}, restarts ${s.restarts}`);
    if (s.lastLines.length > 0) {
      out.push(style.dim(`  last ${s.lastLines.length} log lines:`));
      for (const l of s.lastLines) out.push(`  | ${l}`);
    }
  }
  for (const c of r.checks.filter((x) => x.status === 'failed'))
    out.push(style.red(`✘ check "${c.name}" (${c.target}): ${c.reason ?? 'failed'}`));

  const passed = r.checks.filter((c) => c.status === 'passed').length;
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  const unhealthy = r.services.filter((s) => !s.ready).length;
  const counts = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${unhealthy ? `, ${unhealthy} service(s) not healthy` : ''}`;
  const took = formatDuration(r.durationMs);
  if (r.outcome === 'passed') out.push(style.green(`✔ smoke ${r.project}: ${counts} in ${took}`));
  else if (r.outcome === 'interrupted') out.push(style.yellow(`smoke ${r.project} interrupted: ${counts}`));
  else out.push(style.red.bold(`✘ smoke ${r.project} failed: ${counts} in ${took}`));
  return out.join('\n');
}

function checkLine(c: CheckResult, style: ChalkInstance): string {
  if (c.status === 'passed')
    return `${style.green('✔')} ${c.name} ${style.dim(`(${formatDuration(c.durationMs)})`)}`;
  if (c.status === 'skipped')
    return `${style.yellow('-')} ${c.name}: ${style.yellow(`skipped, ${c.reason ?? ''}`)}`;
  return `${style.red('✘')} ${c.name}: ${style.red(c.reason ?? 'failed')}`;
}

/** One access line of the artifacts' gateway log: its time, then the line the log stream shows. */
export function renderAccessLine(e: AccessFacts): string {
  return `${e.ts} ${accessRecord(e).line}`;
}
