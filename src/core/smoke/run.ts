import type { SmokeCheck } from '../../model/project.js';
import { evaluateResponse } from './expect.js';
import type { CheckEvent, CheckResult, SmokeDeps } from './types.js';

export const DEFAULT_RETRY_DELAY_MS = 1000;
const OUTPUT_TAIL = 400;

/** What a check does, in one phrase for tables and JUnit. */
export function checkTarget(check: SmokeCheck): string {
  if (check.kind === 'http') return `${check.method} ${check.path}`;
  const cmd = check.command.join(' ');
  return check.service !== undefined ? `exec ${check.service}: ${cmd}` : `run: ${cmd}`;
}

/**
 * Runs the checks in the order written. A check is retried `retries` times, a fixed short delay
 * apart; once `signal` aborts (Ctrl-C, --timeout) the running check fails with the abort's
 * reason and the rest are skipped, so the result still names every check.
 */
export async function runChecks(
  checks: readonly SmokeCheck[],
  deps: SmokeDeps,
  signal: AbortSignal,
  onEvent: (e: CheckEvent) => void = () => undefined,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [index, check] of checks.entries()) {
    if (signal.aborted) {
      const result = skipped(check, `not run: ${abortReason(signal)}`);
      results.push(result);
      onEvent({ type: 'check-done', index, result });
      continue;
    }
    onEvent({ type: 'check-start', index, check });
    const result = await runOne(check, deps, signal, (attempt, reason) =>
      onEvent({ type: 'check-retry', index, attempt, reason }),
    );
    results.push(result);
    onEvent({ type: 'check-done', index, result });
  }
  return results;
}

async function runOne(
  check: SmokeCheck,
  deps: SmokeDeps,
  signal: AbortSignal,
  onRetry: (attempt: number, reason: string) => void,
): Promise<CheckResult> {
  const t0 = deps.clock.now();
  const base = { name: check.name, kind: check.kind, target: checkTarget(check) };
  let reason = '';
  let attempts = 0;
  for (let attempt = 1; attempt <= check.retries + 1; attempt++) {
    attempts = attempt;
    const why = await attemptOnce(check, deps, signal);
    if (why === undefined) return { ...base, status: 'passed', durationMs: deps.clock.now() - t0, attempts };
    reason = why;
    if (signal.aborted) {
      reason = `${abortReason(signal)} (last attempt: ${why})`;
      break;
    }
    if (attempt <= check.retries) {
      onRetry(attempt, why);
      try {
        await deps.clock.sleep(deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, signal);
      } catch {
        reason = `${abortReason(signal)} (last attempt: ${why})`;
        break;
      }
    }
  }
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return {
    ...base,
    status: 'failed',
    durationMs: deps.clock.now() - t0,
    attempts,
    reason: `${reason}${tries}`,
  };
}

/** One attempt: undefined when it passed, else why not. Never throws. */
async function attemptOnce(
  check: SmokeCheck,
  deps: SmokeDeps,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    if (check.kind === 'http') {
      if (deps.gatewayUrl === undefined)
        return 'http checks go through the gateway, and this project has none (add x-orch.gateway, or use a run: check)';
      const res = await deps.http.request({
        url: joinUrl(deps.gatewayUrl, check.path),
        method: check.method,
        headers: check.headers,
        ...(check.body !== undefined ? { body: check.body } : {}),
        timeoutMs: check.timeoutMs,
        signal,
      });
      return evaluateResponse(check, res);
    }
    if (check.command.length === 0) return 'no command to run';
    const opts = { timeoutMs: check.timeoutMs, signal };
    const out =
      check.service !== undefined
        ? await deps.run.service(check.service, check.command, opts)
        : await deps.run.host(check.command, opts);
    if (out.exitCode === 0) return undefined;
    const tail = out.output.trim();
    const shown = tail.length > OUTPUT_TAIL ? `…${tail.slice(-OUTPUT_TAIL)}` : tail;
    return `exit code ${out.exitCode}${shown ? `; output: ${shown}` : ''}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function joinUrl(base: string, path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function skipped(check: SmokeCheck, reason: string): CheckResult {
  return {
    name: check.name,
    kind: check.kind,
    target: checkTarget(check),
    status: 'skipped',
    durationMs: 0,
    attempts: 0,
    reason,
  };
}

export function skipAll(checks: readonly SmokeCheck[], reason: string): CheckResult[] {
  return checks.map((c) => skipped(c, reason));
}

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'interrupted';
}
