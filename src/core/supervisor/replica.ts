import type { HealthStatus } from '../ports.js';
import type { Backoff } from './backoff.js';
import { CrashLoopDetector } from './crashloop.js';
import type { ReplicaStatus } from './types.js';

/**
 * Where a replica is in its lifecycle, as the supervisor drives it. `stopped`: a user stopped it
 * (shown as `exited`), so nothing restarts it until someone starts it again. Waiting on a
 * dependency is not a phase but an overlay (`waitingOn`): the replica keeps running meanwhile.
 */
export type Phase = 'running' | 'restarting' | 'exited' | 'gave-up' | 'stopped';

/** The supervisor's memory of one replica, keyed by service + number so it outlives its containers. */
export class ReplicaRecord {
  phase: Phase = 'exited';
  everStarted = false;
  /** Its container is running (as far as the events say). */
  up = false;
  health: HealthStatus = 'none';
  /** Health reported while a restart was under way, applied once it resolves. */
  pendingHealth: HealthStatus | undefined = undefined;
  /** An exit that arrived while a restart was in flight: the new container died at once. */
  pendingExit: { exitCode: number; at: number } | undefined = undefined;
  inRotation = false;
  restarts = 0;
  /** Times of restarts after failures since it was last started by someone else: for max attempts. */
  restartTimes: number[] = [];
  readonly waitingOn = new Set<string>();
  lastExitCode: number | undefined = undefined;
  lastReason: string | undefined = undefined;
  nextRestartAt: number | undefined = undefined;
  /** A `restartReplica` call is under way; the exit it causes is not a failure. */
  inFlight = false;
  /** Bumped by a user's stop or start: results of restarts begun before it are stale. */
  epoch = 0;
  restartTimer: AbortController | undefined = undefined;
  stableTimer: AbortController | undefined = undefined;
  readonly crash = new CrashLoopDetector();

  constructor(
    readonly service: string,
    readonly replica: number,
    readonly backoff: Backoff,
  ) {}

  cancelRestart(): void {
    this.restartTimer?.abort();
    this.restartTimer = undefined;
    this.nextRestartAt = undefined;
  }

  cancelStable(): void {
    this.stableTimer?.abort();
    this.stableTimer = undefined;
  }

  status(): ReplicaStatus {
    return {
      state: this.state(),
      restarts: this.restarts,
      health: this.up ? this.health : 'none',
      ...(this.waitingOn.size > 0 ? { waitingOn: [...this.waitingOn].sort() } : {}),
      ...(this.lastExitCode !== undefined ? { lastExitCode: this.lastExitCode } : {}),
      ...(this.nextRestartAt !== undefined ? { nextRestartAt: this.nextRestartAt } : {}),
      ...(this.lastReason !== undefined ? { lastReason: this.lastReason } : {}),
    };
  }

  private state(): ReplicaStatus['state'] {
    switch (this.phase) {
      case 'stopped':
        return 'exited';
      case 'gave-up':
        return 'gave-up';
      case 'running':
      case 'restarting':
      case 'exited':
        if (this.waitingOn.size > 0) return 'waiting';
        if (this.crash.inCrashLoop && this.phase !== 'exited') return 'crashloop';
        return this.phase;
      default: {
        const never: never = this.phase;
        throw new Error(`unknown phase ${String(never)}`);
      }
    }
  }
}
