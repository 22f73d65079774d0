import type { Clock } from '../ports.js';

export interface DebounceTiming {
  /** Act once nothing new came for this long: a burst of saves is one action. */
  readonly quietMs: number;
  /** ...but never later than this after the first change of a burst (a file that never settles). */
  readonly maxWaitMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceTiming = { quietMs: 200, maxWaitMs: 2_000 };

interface Pending<T> {
  items: T[];
  firstAt: number;
  lastAt: number;
  /** A loop (waiting or flushing) runs for this key. */
  active: boolean;
}

/**
 * Groups items per key in time: each key's flush gets everything that arrived during its quiet
 * period. Flushes of one key never overlap: what arrives during a flush waits for the next one.
 * Keys are independent of each other. Time comes from the Clock, so tests run in virtual time.
 */
export class Debouncer<K, T> {
  private readonly pending = new Map<K, Pending<T>>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly clock: Clock,
    private readonly timing: DebounceTiming,
    private readonly flush: (key: K, items: T[]) => Promise<void>,
    private readonly signal: AbortSignal,
  ) {}

  add(key: K, item: T): void {
    if (this.signal.aborted) return;
    const now = this.clock.now();
    let p = this.pending.get(key);
    if (!p) {
      p = { items: [], firstAt: now, lastAt: now, active: false };
      this.pending.set(key, p);
    }
    if (p.items.length === 0) p.firstAt = now;
    p.items.push(item);
    p.lastAt = now;
    if (!p.active) {
      p.active = true;
      const run = this.loop(key, p).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** Resolves when every flush under way (and those it leads to) is done. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async loop(key: K, p: Pending<T>): Promise<void> {
    try {
      while (p.items.length > 0) {
        const due = Math.min(p.lastAt + this.timing.quietMs, p.firstAt + this.timing.maxWaitMs);
        const wait = due - this.clock.now();
        if (wait > 0) {
          await this.clock.sleep(wait, this.signal);
          continue;
        }
        const items = p.items;
        p.items = [];
        // The flush reports its own failures; one failing must not stop later ones.
        await this.flush(key, items).catch(() => undefined);
      }
    } catch {
      // Aborted: the watch is over.
    } finally {
      p.active = false;
    }
  }
}
