import type { SmokeCheck } from '../../model/project.js';
import type { Clock } from '../ports.js';

/** One HTTP exchange as a smoke check sees it; bodies are text (checks compare text and JSON). */
export interface SmokeHttpRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface SmokeHttpResponse {
  readonly status: number;
  readonly body: string;
}

export interface SmokeHttpPort {
  request(req: SmokeHttpRequest): Promise<SmokeHttpResponse>;
}

export interface RunOutcome {
  readonly exitCode: number;
  /** Interleaved stdout and stderr, for the failure reason. */
  readonly output: string;
}

/** Commands of `run:` checks: on the host, or inside a service's first running replica. */
export interface SmokeRunPort {
  host(command: readonly string[], opts: { timeoutMs: number; signal: AbortSignal }): Promise<RunOutcome>;
  service(
    service: string,
    command: readonly string[],
    opts: { timeoutMs: number; signal: AbortSignal },
  ): Promise<RunOutcome>;
}

export interface SmokeDeps {
  readonly http: SmokeHttpPort;
  readonly run: SmokeRunPort;
  readonly clock: Clock;
  /** Base URL of the gateway (`http://127.0.0.1:PORT`); undefined when the project has none. */
  readonly gatewayUrl: string | undefined;
  /** Pause between attempts of a check; short and fixed, so a retried check stays predictable. */
  readonly retryDelayMs?: number;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  readonly name: string;
  readonly kind: SmokeCheck['kind'];
  /** `GET /api/health`, `run: ./x.sh`, `exec api: pg_isready`: what the check did. */
  readonly target: string;
  readonly status: CheckStatus;
  readonly durationMs: number;
  readonly attempts: number;
  /** Why it failed (the last attempt's reason) or was skipped. */
  readonly reason?: string;
}

export type CheckEvent =
  | { readonly type: 'check-start'; readonly index: number; readonly check: SmokeCheck }
  | {
      readonly type: 'check-retry';
      readonly index: number;
      readonly attempt: number;
      readonly reason: string;
    }
  | { readonly type: 'check-done'; readonly index: number; readonly result: CheckResult };

export interface ServiceReplicaResult {
  readonly container: string;
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
}

export interface ServiceResult {
  readonly service: string;
  /** Became healthy (or started, without a health source; or completed, for a job). */
  readonly ready: boolean;
  readonly reason?: string;
  /** Final state and health, summed up over replicas (`running`, `exited (1)`, ...). */
  readonly state: string;
  readonly health: string;
  readonly restarts: number;
  /** Milliseconds since the start of `up`. */
  readonly timeline: { readonly created?: number; readonly started?: number; readonly ready?: number };
  readonly replicas: readonly ServiceReplicaResult[];
  /** Last log lines of a service that did not become ready (for JUnit and stderr). */
  readonly lastLines: readonly string[];
}

export type SmokeOutcome = 'passed' | 'failed' | 'interrupted';

export interface SmokeResult {
  readonly ok: boolean;
  readonly outcome: SmokeOutcome;
  readonly project: string;
  /** ISO time the run started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly gateway: string | null;
  readonly checks: readonly CheckResult[];
  readonly services: readonly ServiceResult[];
  readonly timeline: { readonly upMs: number; readonly criticalPath: readonly string[] };
  /** The stack could not be started at all (a missing image, a failed build, a taken port). */
  readonly startError?: string;
}
