import type { SupervisorDecision } from '../../model/events.js';
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
  report(event: SupervisorDecision): void;
}

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
