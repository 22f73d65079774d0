import type { SmokeResult } from './types.js';
import { attrs, escapeText } from './xml.js';

/**
 * The result as JUnit XML in the shape CI systems read (Surefire/Jenkins `junit-10.xsd`, which
 * GitHub, GitLab, Jenkins and CircleCI reporters accept): one `<testsuite>` in `<testsuites>`, a
 * `<testcase>` per check in the order written, and before them a failing `<testcase>` for every
 * service that never became ready, its last log lines in the failure text.
 */
export function renderJUnit(result: SmokeResult, hostname: string): string {
  const suite = `orch smoke ${result.project}`;
  const checksClass = `orch.smoke.${result.project}.checks`;
  const servicesClass = `orch.smoke.${result.project}.services`;
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;

  if (result.startError !== undefined) {
    failures++;
    cases.push(
      `    <testcase${attrs({ name: 'the stack starts', classname: servicesClass, time: seconds(result.durationMs) })}>\n` +
        `      <failure${attrs({ message: result.startError, type: 'StartFailed' })}>${escapeText(result.startError)}</failure>\n` +
        `    </testcase>`,
    );
  }
  for (const s of result.services.filter((x) => !x.ready)) {
    failures++;
    const message = `${s.service} did not become healthy: ${s.reason ?? s.state}`;
    const text = [
      message,
      `state: ${s.state}, health: ${s.health}, restarts: ${s.restarts}`,
      ...(s.lastLines.length > 0 ? [`last ${s.lastLines.length} log lines:`, ...s.lastLines] : []),
    ].join('\n');
    cases.push(
      `    <testcase${attrs({ name: `service ${s.service} is healthy`, classname: servicesClass, time: seconds(result.timeline.upMs) })}>\n` +
        `      <failure${attrs({ message, type: 'ServiceNotHealthy' })}>${escapeText(text)}</failure>\n` +
        `    </testcase>`,
    );
  }
  for (const c of result.checks) {
    const open = `    <testcase${attrs({ name: c.name, classname: checksClass, time: seconds(c.durationMs) })}`;
    if (c.status === 'passed') {
      cases.push(`${open}/>`);
    } else if (c.status === 'skipped') {
      skipped++;
      cases.push(`${open}>\n      <skipped${attrs({ message: c.reason ?? 'skipped' })}/>\n    </testcase>`);
    } else {
      failures++;
      const reason = c.reason ?? 'failed';
      cases.push(
        `${open}>\n      <failure${attrs({ message: reason, type: 'CheckFailed' })}>${escapeText(`${c.target}\n${reason}`)}</failure>\n    </testcase>`,
      );
    }
  }

  const counts = { tests: cases.length, failures, errors: 0, skipped, time: seconds(result.durationMs) };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: suite, ...counts })}>`,
    `  <testsuite${attrs({ name: suite, ...counts, timestamp: result.startedAt.replace(/(\.\d+)?Z$/, ''), hostname })}>`,
    '    <properties>',
    `      <property${attrs({ name: 'project', value: result.project })}/>`,
    `      <property${attrs({ name: 'outcome', value: result.outcome })}/>`,
    ...(result.gateway ? [`      <property${attrs({ name: 'gateway', value: result.gateway })}/>`] : []),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Seconds with millisecond precision and no exponent or grouping: Surefire's time format. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
