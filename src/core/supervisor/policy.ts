import type { DeployRestartPolicy, RestartPolicy, ServiceSpec } from '../../model/project.js';

/**
 * The one restart policy a service runs under, whichever key it came from.
 *
 * Precedence: `deploy.restart_policy` wins over `restart` when both are set. That is what Docker
 * Compose does (docker/compose `pkg/compose/create.go`, `getRestartPolicy`: the deploy policy
 * overwrites the one built from `restart`), and the compose-spec deploy page says the same from the
 * other side: "If restart_policy is not set, Compose considers the restart field".
 */
export interface EffectivePolicy {
  readonly source: 'restart' | 'deploy.restart_policy';
  /** Which exits restart: `never` (no, none), `failure` (non-zero exit), `always` (any exit). */
  readonly on: 'never' | 'failure' | 'always';
  /** `unless-stopped` only: a user's stop is remembered across a supervisor restart. */
  readonly unlessStopped: boolean;
  /** Restarts allowed before giving up; undefined: unlimited (Docker and swarm treat 0 the same way). */
  readonly maxAttempts?: number;
  /** deploy `window`: only restarts inside the last `windowMs` count towards `maxAttempts`. */
  readonly windowMs?: number;
  /** deploy `delay`: the backoff's base delay. */
  readonly delayMs?: number;
}

export function effectivePolicy(spec: Pick<ServiceSpec, 'restart' | 'deployRestartPolicy'>): EffectivePolicy {
  return spec.deployRestartPolicy ? fromDeploy(spec.deployRestartPolicy) : fromRestart(spec.restart);
}

function fromRestart(r: RestartPolicy): EffectivePolicy {
  const base = { source: 'restart', unlessStopped: false } as const;
  switch (r.kind) {
    case 'no':
      return { ...base, on: 'never' };
    case 'always':
      return { ...base, on: 'always' };
    case 'unless-stopped':
      return { ...base, on: 'always', unlessStopped: true };
    case 'on-failure':
      return { ...base, on: 'failure', ...limit(r.maxRetries) };
    default: {
      const never: never = r;
      throw new Error(`unknown restart policy ${JSON.stringify(never)}`);
    }
  }
}

function fromDeploy(d: DeployRestartPolicy): EffectivePolicy {
  const on = ((): EffectivePolicy['on'] => {
    switch (d.condition) {
      case 'none':
        return 'never';
      case 'on-failure':
        return 'failure';
      case 'any':
        return 'always';
      default: {
        const never: never = d.condition;
        throw new Error(`unknown restart condition ${String(never)}`);
      }
    }
  })();
  return {
    source: 'deploy.restart_policy',
    on,
    unlessStopped: false,
    ...limit(d.maxAttempts),
    ...(d.windowMs !== undefined && d.windowMs > 0 ? { windowMs: d.windowMs } : {}),
    ...(d.delayMs !== undefined ? { delayMs: d.delayMs } : {}),
  };
}

function limit(n: number | undefined): { maxAttempts?: number } {
  return n !== undefined && n > 0 ? { maxAttempts: n } : {};
}

/** Why a replica stopped serving, as the supervisor saw it. */
export type Failure =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'unhealthy' }
  | { readonly kind: 'restart-failed'; readonly message: string };

export type Decision =
  | { readonly restart: true }
  | { readonly restart: false; readonly why: 'policy' | 'unhealthy-disabled' | 'exhausted' };

export function describeFailure(f: Failure): string {
  switch (f.kind) {
    case 'exit':
      return `exited with code ${f.code}`;
    case 'unhealthy':
      return 'unhealthy';
    case 'restart-failed':
      return `restart failed: ${f.message}`;
    default: {
      const never: never = f;
      throw new Error(`unknown failure ${JSON.stringify(never)}`);
    }
  }
}

/** Restarts that count towards `maxAttempts` at `now`: all of them, or those inside the window. */
export function countedAttempts(
  policy: EffectivePolicy,
  restartTimes: readonly number[],
  now: number,
): number {
  const { windowMs } = policy;
  if (windowMs === undefined) return restartTimes.length;
  return restartTimes.filter((t) => t > now - windowMs).length;
}

export function exhausted(policy: EffectivePolicy, restartTimes: readonly number[], now: number): boolean {
  return policy.maxAttempts !== undefined && countedAttempts(policy, restartTimes, now) >= policy.maxAttempts;
}

/**
 * Should this failure restart the replica? `restartTimes` are the supervisor's own restarts of it
 * since it was last started by someone else (Docker resets its retry count on a manual start too).
 * A user's stop never reaches here: the supervisor filters it out first.
 */
export function decide(
  policy: EffectivePolicy,
  failure: Failure,
  opts: { restartOnUnhealthy: boolean; restartTimes: readonly number[]; now: number },
): Decision {
  if (!wantsRestart(policy, failure, opts.restartOnUnhealthy)) {
    return {
      restart: false,
      why: failure.kind === 'unhealthy' && policy.on !== 'never' ? 'unhealthy-disabled' : 'policy',
    };
  }
  if (exhausted(policy, opts.restartTimes, opts.now)) return { restart: false, why: 'exhausted' };
  return { restart: true };
}

function wantsRestart(policy: EffectivePolicy, failure: Failure, restartOnUnhealthy: boolean): boolean {
  if (policy.on === 'never') return false;
  switch (failure.kind) {
    case 'exit':
      return policy.on === 'always' || failure.code !== 0;
    case 'unhealthy':
      return restartOnUnhealthy;
    case 'restart-failed':
      // The replica is down and orch could not bring it back: a failure under every restarting policy.
      return true;
    default: {
      const never: never = failure;
      throw new Error(`unknown failure ${JSON.stringify(never)}`);
    }
  }
}

/**
 * When a supervisor takes over replicas that already exist (a second `up`, a restarted detached
 * supervisor), should it start one that is not running? Docker's rule for a daemon restart: `always`
 * does even after a user's stop, `unless-stopped` does not, the others only restart on failure.
 */
export function startsOnResume(policy: EffectivePolicy, stoppedByUser: boolean): boolean {
  if (policy.on !== 'always') return false;
  return !(stoppedByUser && policy.unlessStopped);
}
