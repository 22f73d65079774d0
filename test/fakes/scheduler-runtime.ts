import type { DependencyCondition } from '../../src/model/project.js';
import { ServiceFailure, type ServiceRuntime } from '../../src/core/scheduler.js';
import { untilAborted } from './abort.js';
import type { FakeClock } from './clock.js';

/** How one service behaves, on the virtual clock. Times after "started" count from when start() resolved. */
export interface FakeServiceScript {
  /** How long start() takes. Default 0. */
  readonly startDelayMs?: number;
  /** start() rejects with this reason after the delay. */
  readonly startError?: string;
  /** Becomes healthy this long after it started. Absent: never healthy. */
  readonly healthyAfterMs?: number;
  /** Goes unhealthy this long after it started (a failure if it comes before healthy). */
  readonly unhealthyAfterMs?: number;
  /** Exits this long after it started, with `exitCode` (default 0). Absent: runs forever. */
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
}

type Milestone =
  | { readonly at: number; readonly ok: true }
  | { readonly at: number; readonly ok: false; readonly reason: string };

/**
 * A ServiceRuntime whose services follow scripts on a FakeClock, recording when each start()
 * was called so tests can assert the scheduler's timing to the virtual millisecond.
 */
export class FakeServiceRuntime implements ServiceRuntime {
  readonly startCalls: { service: string; at: number }[] = [];
  readonly waitCalls: { service: string; condition: DependencyCondition; at: number }[] = [];
  private readonly startedAt = new Map<string, number>();

  constructor(
    private readonly clock: FakeClock,
    private readonly scripts: Readonly<Record<string, FakeServiceScript>> = {},
  ) {}

  /** Virtual time at which start() was called for `service`. */
  startCallAt(service: string): number | undefined {
    return this.startCalls.find((c) => c.service === service)?.at;
  }

  async start(service: string, signal: AbortSignal): Promise<void> {
    this.startCalls.push({ service, at: this.clock.now() });
    const script = this.scripts[service] ?? {};
    await this.clock.sleep(script.startDelayMs ?? 0, signal);
    if (script.startError !== undefined) throw new ServiceFailure(service, script.startError);
    this.startedAt.set(service, this.clock.now());
  }

  async waitFor(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void> {
    this.waitCalls.push({ service, condition, at: this.clock.now() });
    const since = this.startedAt.get(service);
    // The scheduler must only wait on what it started; a fake that tolerated this would hide the bug.
    if (since === undefined) throw new Error(`FakeServiceRuntime: waitFor(${service}) before it started`);
    const first = this.milestones(service, condition, since).sort((a, b) => a.at - b.at)[0];
    if (!first) return untilAborted(signal);
    await this.clock.sleep(Math.max(0, first.at - this.clock.now()), signal);
    if (!first.ok) throw new ServiceFailure(service, first.reason);
  }

  /** The first of these, in time, decides the wait. */
  private milestones(service: string, condition: DependencyCondition, since: number): Milestone[] {
    const s = this.scripts[service] ?? {};
    const code = s.exitCode ?? 0;
    const exitAt = s.exitAfterMs === undefined ? undefined : since + s.exitAfterMs;
    const out: Milestone[] = [];
    switch (condition) {
      case 'service_started':
        out.push({ at: since, ok: true });
        break;
      case 'service_healthy':
        if (s.healthyAfterMs !== undefined) out.push({ at: since + s.healthyAfterMs, ok: true });
        if (s.unhealthyAfterMs !== undefined)
          out.push({ at: since + s.unhealthyAfterMs, ok: false, reason: 'became unhealthy' });
        if (exitAt !== undefined)
          out.push({ at: exitAt, ok: false, reason: `exited with code ${code} before it became healthy` });
        break;
      case 'service_completed_successfully':
        if (exitAt !== undefined)
          out.push(
            code === 0
              ? { at: exitAt, ok: true }
              : { at: exitAt, ok: false, reason: `exited with code ${code}` },
          );
        break;
      default: {
        const _exhaustive: never = condition;
        return _exhaustive;
      }
    }
    return out;
  }
}
