import type { HealthStatus } from '../ports.js';

/** What the engine tells the supervisor, keyed by service + replica number (not container id). */
export type SupervisorInput =
  | { type: 'exited'; service: string; replica: number; exitCode: number; at: number }
  | { type: 'started'; service: string; replica: number; at: number }
  | { type: 'health'; service: string; replica: number; health: HealthStatus; at: number }
  /** down / stop / scale-down: never restart these. Without `replica`: every replica of the service. */
  | { type: 'stopped-by-user'; service: string; replica?: number };

/** What the supervisor asks of the engine (real) or a fake (tests). */
export interface SupervisorActions {
  /** Recreate/start the replica; resolves once it is started, rejects when it could not be. */
  restartReplica(service: string, replica: number, reason: string): Promise<void>;
  /** Gateway membership: only replicas that are up and healthy (or up, with no health source). */
  setRotation(service: string, replica: number, inRotation: boolean): void;
  /** For ps and the log view. */
  report(event: SupervisorEvent): void;
}

interface At {
  readonly service: string;
  readonly replica: number;
}

export type SupervisorEvent =
  | (At & { readonly type: 'restarting'; readonly afterMs: number; readonly reason: string })
  | (At & { readonly type: 'restarted'; readonly restarts: number; readonly reason: string })
  | (At & {
      readonly type: 'crashloop';
      readonly lastReason: string;
      readonly failures: number;
      readonly windowMs: number;
    })
  /** Stayed up long enough: backoff reset and, if it was in one, out of the crash loop. */
  | (At & { readonly type: 'recovered'; readonly wasCrashLoop: boolean })
  | (At & { readonly type: 'gave-up'; readonly reason: string; readonly attempts: number })
  /** The policy does not restart this failure (`no`, exit 0 under on-failure, unhealthy with restart_on_unhealthy off). */
  | (At & { readonly type: 'not-restarted'; readonly reason: string })
  | (At & { readonly type: 'waiting-on'; readonly on: readonly string[] })
  /** Its dependencies are back: restarted now (depends_on.<dep>.restart). */
  | (At & { readonly type: 'regated'; readonly after: string });

export type ReplicaState = 'running' | 'restarting' | 'crashloop' | 'waiting' | 'exited' | 'gave-up';

export interface ReplicaStatus {
  readonly state: ReplicaState;
  /** Restarts done by orch, across container recreations. */
  readonly restarts: number;
  readonly health: HealthStatus;
  readonly waitingOn?: readonly string[];
  readonly lastExitCode?: number;
  /** Clock time of the pending restart, while one is scheduled. */
  readonly nextRestartAt?: number;
  /** The last failure the supervisor acted on, e.g. `exited with code 1`. */
  readonly lastReason?: string;
}
