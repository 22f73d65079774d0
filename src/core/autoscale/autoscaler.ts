import type { AutoscaleSpec } from '../../model/project.js';
import type { EventSink } from '../events/bus.js';
import type { ServiceLoad } from '../gateway/index.js';
import type { ProjectRef } from '../live-project.js';
import type { Clock } from '../ports.js';
import { decide, type DeciderState } from './decide.js';
import { LoadWindow, MeanWindow } from './window.js';

/** The path `orch scale` takes: the autoscaler changes replica counts through nothing else. */
export interface Scaler {
  scale(service: string, count: number): Promise<void>;
}

/** Where the figures come from. */
export interface AutoscaleFigures {
  /** The gateway's load on a service; undefined without a gateway or a route to it. */
  load(service: string): ServiceLoad | undefined;
  /**
   * Mean CPU percent of a service's replicas now (100 = one core), from the stats sampler;
   * undefined while there is no figure (or no stats source at all). The autoscaler averages it
   * over its window.
   */
  cpuPercent?(service: string): number | undefined;
}

export interface AutoscalerOptions {
  readonly live: ProjectRef;
  readonly scaler: Scaler;
  readonly figures: AutoscaleFigures;
  readonly clock: Clock;
  readonly events: EventSink;
  /** How often figures are sampled and a decision taken (default 1 s). */
  readonly intervalMs?: number;
  /** The sliding window the gateway's figures are averaged over (default 10 s). */
  readonly windowMs?: number;
}

export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_WINDOW_MS = 10_000;

/**
 * Every `x-orch.autoscale` service of the running project, one decision per tick each. The spec
 * is read from the live project at each tick, so a live edit of the file takes effect at once;
 * the current count is the project's (what `orch scale` and the autoscaler last set).
 */
export class Autoscaler {
  private readonly windows = new Map<string, LoadWindow>();
  private readonly cpuWindows = new Map<string, MeanWindow>();
  private readonly states = new Map<string, DeciderState>();
  /**
   * Since when a service has had no figure, and whether the stream was told (once, not every
   * second, and only after a window's worth of time: engine stats need two readings to give a
   * CPU figure, so every start has a few seconds without one, which is not news).
   */
  private readonly noFigureSince = new Map<string, { since: number; said: boolean }>();
  private readonly windowMs: number;

  constructor(private readonly opts: AutoscalerOptions) {
    this.windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  }

  /** Ticks until `signal` aborts. Scales run one at a time, inside the tick that decided them. */
  async run(signal: AbortSignal): Promise<void> {
    const every = this.opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    while (!signal.aborted) {
      try {
        await this.opts.clock.sleep(every, signal);
      } catch {
        return; // aborted
      }
      try {
        await this.tick();
      } catch {
        // A tick that fails (a project edit mid-read) must not end autoscaling, nor the stack.
      }
    }
  }

  /** Samples every autoscaled service and acts on its decision. */
  async tick(): Promise<void> {
    const now = this.opts.clock.now();
    const services = this.opts.live.current.services;
    // A service a live edit removed takes its windows and cooldown with it: were it added back, it
    // would otherwise inherit a stale cooldown (and a long session would keep every name it ever had).
    for (const name of this.states.keys()) if (services[name] === undefined) this.forget(name);
    for (const spec of Object.values(services)) {
      const a = spec.orch.autoscale;
      if (a === undefined) {
        this.forget(spec.name);
        continue;
      }
      const value = this.figure(spec.name, a, now);
      const current = spec.replicas;
      const step = decide(a, this.states.get(spec.name) ?? {}, { now, current, value });
      this.states.set(spec.name, step.state);
      if (value === undefined) this.noFigure(spec.name, a, current, now);
      else this.noFigureSince.delete(spec.name);
      if (step.decision === undefined) continue;
      const decided = (to: number, reason: string) =>
        this.opts.events.publish({
          type: 'autoscale',
          service: spec.name,
          from: current,
          to,
          metric: a.target.metric,
          value: value === undefined ? null : Math.round(value * 10) / 10,
          target: a.target.value,
          reason,
        });
      decided(step.decision.to, step.decision.reason);
      try {
        await this.opts.scaler.scale(spec.name, step.decision.to);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        decided(current, `scaling to ${step.decision.to} failed: ${why}`);
      }
    }
  }

  /** The service's figure per replica now (undefined: none yet). */
  private figure(service: string, a: AutoscaleSpec, now: number): number | undefined {
    if (a.target.metric === 'cpu_percent') {
      let cpu = this.cpuWindows.get(service);
      if (cpu === undefined) this.cpuWindows.set(service, (cpu = new MeanWindow(this.windowMs)));
      cpu.add(now, this.opts.figures.cpuPercent?.(service));
      return cpu.mean();
    }
    let w = this.windows.get(service);
    if (w === undefined) this.windows.set(service, (w = new LoadWindow(this.windowMs)));
    const load = this.opts.figures.load(service);
    if (load === undefined) {
      w.clear();
      return undefined;
    }
    w.add(now, load);
    if (a.target.metric === 'p95_ms') return w.p95();
    const inFlight = w.inFlight();
    const replicas = this.opts.live.current.services[service]?.replicas ?? 0;
    return inFlight === undefined || replicas === 0 ? inFlight : inFlight / replicas;
  }

  private noFigure(service: string, a: AutoscaleSpec, current: number, now: number): void {
    const gap = this.noFigureSince.get(service) ?? { since: now, said: false };
    this.noFigureSince.set(service, gap);
    if (gap.said || now - gap.since < this.windowMs) return;
    gap.said = true;
    const source =
      a.target.metric === 'cpu_percent'
        ? 'the engine has no CPU figures for it (yet)'
        : 'no gateway route reaches it (is the gateway off?)';
    this.opts.events.publish({
      type: 'autoscale',
      service,
      from: current,
      to: current,
      metric: a.target.metric,
      value: null,
      target: a.target.value,
      reason: `holding at ${current}: ${source}`,
    });
  }

  private forget(service: string): void {
    this.windows.delete(service);
    this.cpuWindows.delete(service);
    this.states.delete(service);
    this.noFigureSince.delete(service);
  }
}
