import type { DockerHealthcheck, ExecResult, HealthStatus } from '../../core/ports.js';
import { runOnHost } from './exec.js';
import type { ProcessRecord } from './state.js';

/** Docker's defaults for a healthcheck that leaves a field out. */
const DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
};

/** The argv a healthcheck test runs: `CMD` as exec form, `CMD-SHELL` through the shell. */
function testArgv(test: readonly string[], shell = '/bin/sh'): string[] {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return [shell, '-c', rest.join(' ')];
  // A bare list (no CMD prefix) is how compose writes a string test once normalized.
  return [...test];
}

/**
 * A healthcheck of one host process run as Docker runs a container's: `starting` until the first
 * pass; failures in the start period do not count (checks run every start_interval there);
 * `retries` failures in a row make it `unhealthy`, one pass makes it `healthy` again. Timers are
 * the adapter's own: this is the engine's part of the contract, not orch's supervision.
 */
export class HealthRunner {
  status: HealthStatus = 'starting';
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly startedAt = Date.now();

  constructor(
    private readonly hc: DockerHealthcheck,
    private readonly run: (
      argv: readonly string[],
      timeoutMs: number,
      signal: AbortSignal,
    ) => Promise<ExecResult>,
    private readonly onChange: (status: HealthStatus, output: string) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
  }

  private inStartPeriod(): boolean {
    return Date.now() - this.startedAt < (this.hc.startPeriodMs ?? DEFAULTS.startPeriodMs);
  }

  private schedule(): void {
    if (this.abort.signal.aborted) return;
    const every =
      this.inStartPeriod() && this.status === 'starting'
        ? (this.hc.startIntervalMs ?? DEFAULTS.startIntervalMs)
        : (this.hc.intervalMs ?? DEFAULTS.intervalMs);
    this.timer = setTimeout(() => void this.check(), every);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    const timeoutMs = this.hc.timeoutMs ?? DEFAULTS.timeoutMs;
    let result: ExecResult;
    try {
      result = await this.run(testArgv(this.hc.test), timeoutMs, this.abort.signal);
    } catch (err) {
      result = { exitCode: -1, output: (err as Error).message };
    }
    if (this.abort.signal.aborted) return;
    if (result.exitCode === 0) {
      this.failures = 0;
      this.set('healthy', result.output);
    } else if (!this.inStartPeriod()) {
      this.failures += 1;
      if (this.failures >= (this.hc.retries ?? DEFAULTS.retries)) this.set('unhealthy', result.output);
    }
    this.schedule();
  }

  private set(status: HealthStatus, output: string): void {
    if (status === this.status) return;
    this.status = status;
    this.onChange(status, output);
  }
}

/**
 * The healthchecks a runtime runs, one per replica that has one, on the host in the replica's
 * cwd and environment. A replica without a runner yet reports `starting` while it runs.
 */
export class HealthChecks {
  private readonly runners = new Map<string, HealthRunner>();
  private closed = false;

  constructor(
    private readonly onChange: (rec: ProcessRecord, status: HealthStatus, output: string) => void,
  ) {}

  /** Starts the replica's healthcheck unless it has none or it runs already. */
  watch(rec: ProcessRecord): void {
    if (!rec.healthcheck || this.runners.has(rec.id) || this.closed) return;
    const runner = new HealthRunner(
      rec.healthcheck,
      (argv, timeoutMs, signal) => runOnHost(argv, { cwd: rec.cwd, env: rec.env, timeoutMs, signal }),
      (status, output) => this.onChange(rec, status, output),
    );
    this.runners.set(rec.id, runner);
    runner.start();
  }

  statusOf(rec: ProcessRecord, running: boolean): HealthStatus {
    const runner = this.runners.get(rec.id);
    if (runner) return runner.status;
    return rec.healthcheck && running ? 'starting' : 'none';
  }

  stop(id: string): void {
    this.runners.get(id)?.stop();
    this.runners.delete(id);
  }

  /** Stops them all, and starts no more. */
  close(): void {
    this.closed = true;
    for (const r of this.runners.values()) r.stop();
    this.runners.clear();
  }
}
