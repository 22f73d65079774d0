export { Supervisor, type SupervisorOptions } from './supervisor.js';
export type { ReplicaState, ReplicaStatus, SupervisorActions, SupervisorInput } from './types.js';
export {
  countedAttempts,
  decide,
  describeFailure,
  effectivePolicy,
  exhausted,
  startsOnResume,
  type Decision,
  type EffectivePolicy,
  type Failure,
} from './policy.js';
export {
  Backoff,
  backoffSpec,
  jittered,
  nominalDelay,
  JITTER,
  STABLE_AFTER_MS,
  type BackoffSpec,
} from './backoff.js';
export { CrashLoopDetector, CRASHLOOP_FAILURES, CRASHLOOP_WINDOW_MS } from './crashloop.js';
