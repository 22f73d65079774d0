import type { AutoscaleMetric, WatchAction } from './project.js';

/** Where an event happened: one replica of one service. */
interface At {
  readonly service: string;
  readonly replica: number;
}

/**
 * What the watcher did (`type: "watch"`), one event per step of an action. The phases mirror the
 * log stream's `watch:` lines.
 */
export type WatchPhase =
  | {
      readonly type: 'watch';
      readonly phase: 'watching';
      readonly services: readonly string[];
      readonly rules: number;
      readonly projectFiles: readonly string[];
    }
  | {
      readonly type: 'watch';
      readonly phase: 'begin';
      readonly service: string;
      readonly action: WatchAction;
      /** Changed paths relative to the rule's path (a few; `more` counts the rest). */
      readonly changed: readonly string[];
      readonly more: number;
    }
  | {
      readonly type: 'watch';
      readonly phase: 'done';
      readonly service: string;
      readonly action: WatchAction;
      readonly detail: string;
      readonly ms: number;
    }
  | {
      readonly type: 'watch';
      readonly phase: 'failed';
      readonly service: string;
      readonly action: WatchAction;
      readonly reason: string;
      readonly ms: number;
    }
  | { readonly type: 'watch'; readonly phase: 'error'; readonly message: string };

/** What the watcher reports: its own steps and project-file reloads. */
export type WatchOutcome = WatchPhase | ReloadPhase;

/** An edit of the project file (or its .env / env_files), re-read by the watcher: `type: "reloaded"`. */
export type ReloadPhase =
  | { readonly type: 'reloaded'; readonly phase: 'invalid'; readonly reason: string; readonly ms: number }
  | {
      readonly type: 'reloaded';
      readonly phase: 'plan';
      readonly plan: string;
      readonly notes: readonly string[];
    }
  | { readonly type: 'reloaded'; readonly phase: 'applied'; readonly plan: string; readonly ms: number }
  | { readonly type: 'reloaded'; readonly phase: 'failed'; readonly reason: string; readonly ms: number };

/** What the supervisor decided about a replica (restart policy, backoff, crash loop, re-gating). */
export type SupervisorDecision =
  | (At & { readonly type: 'restarting'; readonly afterMs: number; readonly reason: string })
  | (At & { readonly type: 'restarted'; readonly restarts: number; readonly reason: string })
  | (At & {
      readonly type: 'crash-loop';
      readonly lastReason: string;
      readonly failures: number;
      readonly windowMs: number;
    })
  /** Stayed up long enough: backoff reset and, if it was in one, out of the crash loop. */
  | (At & { readonly type: 'recovered'; readonly wasCrashLoop: boolean })
  | (At & { readonly type: 'gave-up'; readonly reason: string; readonly attempts: number })
  /** The policy does not restart this failure (`no`, exit 0 under on-failure, unhealthy with restart_on_unhealthy off). */
  | (At & { readonly type: 'not-restarted'; readonly reason: string })
  | (At & { readonly type: 'waiting'; readonly on: readonly string[] })
  /** Its dependencies are back: restarted now (depends_on.<dep>.restart). */
  | (At & { readonly type: 'regated'; readonly after: string });

/** What the runtime reported about a replica (the engine's events and orch's probes). */
export type ReplicaFact =
  | (At & { readonly type: 'created'; readonly container: string })
  | (At & { readonly type: 'started'; readonly container: string })
  | (At & { readonly type: 'healthy' })
  /** `output`: what the failing check printed last (the probe's detail or Docker's health log). */
  | (At & { readonly type: 'unhealthy'; readonly output: string })
  | (At & { readonly type: 'died'; readonly exitCode: number })
  /** Stopped by someone other than orch (`docker stop`): not a failure, not restarted. */
  | (At & { readonly type: 'stopped' })
  | (At & { readonly type: 'removed' });

/** Changes orch made to the running project on request (`orch scale`, `orch restart`, watch). */
export type StackChange =
  | { readonly type: 'scaled'; readonly service: string; readonly from: number; readonly to: number }
  /**
   * One step of a rolling replacement (watch rebuild, project edit) or of `orch restart`:
   * `started` (the new replica), `healthy` (it serves), `stopping` (the old one drains),
   * `replaced` (the old one is gone). `cause`: `restart` (`orch restart`) or `update` (a new
   * image or configuration).
   */
  | (At & {
      readonly type: 'rollout';
      readonly cause: 'restart' | 'update';
      readonly phase: 'started' | 'healthy' | 'stopping' | 'replaced';
    })
  /** Follows a `crash-loop`: what the replica printed last, so the reason is on screen. */
  | (At & { readonly type: 'last-lines'; readonly lines: readonly string[] });

/**
 * The autoscaler changed a service's replica count (`x-orch.autoscale`): `from` → `to`, the
 * figure it acted on (`value`, null when the change only brought the count into [min, max]) and
 * its `target`, and a readable `reason`. A scale that then fails is reported again with
 * `to` equal to `from` and the error as the reason.
 */
export interface AutoscaleDecision {
  readonly type: 'autoscale';
  readonly service: string;
  readonly from: number;
  readonly to: number;
  readonly metric: AutoscaleMetric;
  readonly value: number | null;
  readonly target: number;
  readonly reason: string;
}

/** Gateway membership: a replica now receives traffic, or no longer does. */
export type GatewayChange =
  | (At & { readonly type: 'gateway-in'; readonly address: string })
  | (At & { readonly type: 'gateway-out'; readonly address: string });

/**
 * A replica's circuit breaker on a route changed state: `open` (no traffic for the route's
 * `open_for`), `half-open` (one request tests it), `closed` (traffic again).
 */
export type BreakerChange = At & {
  readonly type: 'breaker';
  readonly state: BreakerState;
  readonly route: string;
};

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One event of the running stack, as it is published (the bus stamps the time). */
export type OrchEventBody =
  | ReplicaFact
  | SupervisorDecision
  | StackChange
  | AutoscaleDecision
  | GatewayChange
  | BreakerChange
  | WatchPhase
  | ReloadPhase;

export type OrchEventType = OrchEventBody['type'];

/**
 * One event of the running stack, as `orch events --json` prints it and the control API streams
 * it: `time` (RFC 3339, milliseconds, UTC) and `type` first, then `service` and `replica` where
 * they apply, then the type's own fields.
 */
export type OrchEvent = { readonly time: string } & OrchEventBody;

/** The service an event is about, if any (`watch` phases that span services have none). */
export function eventService(e: OrchEventBody): string | undefined {
  return 'service' in e ? e.service : undefined;
}
