import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Clock } from '../../src/core/ports.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * Virtual time. Sleeps only end when a test moves the clock; between timers every pending
 * promise continuation runs, so code that sleeps again while the clock moves is honoured in
 * time order, exactly as with real timers but in no real time.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(abortReason(signal));
      };
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sleeps not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Runs everything already queued (promise continuations), without moving time. */
  async flush(): Promise<void> {
    // Several rounds: a continuation may itself queue work behind a macrotask boundary.
    for (let i = 0; i < 3; i++) await nextMacrotask();
  }

  /** Moves time forward by `ms`, firing due sleeps in time order (FIFO at equal times). */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await this.flush();
      const next = this.nextTimer();
      if (!next || next.at > target) break;
      this.fireTimer(next);
    }
    this.time = Math.max(this.time, target);
    await this.flush();
  }

  /**
   * Fires sleeps until none is left. Guarded, since a probe loop sleeps forever: stops (and throws)
   * past `limitMs` of virtual time from now.
   */
  async runUntilIdle(limitMs = 3_600_000): Promise<void> {
    const deadline = this.time + limitMs;
    for (;;) {
      await this.flush();
      const next = this.nextTimer();
      if (!next) return;
      if (next.at > deadline) throw new Error(`FakeClock: still busy after ${limitMs}ms of virtual time`);
      this.fireTimer(next);
    }
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers)
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fireTimer(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.time = Math.max(this.time, timer.at);
    timer.fire();
  }
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
