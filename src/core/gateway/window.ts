const SLOTS = 10;
const SLOT_MS = 1_000;

/**
 * Two counts over the last 10 seconds, kept in ten one-second slots: the window slides without a
 * list of times, and a slot is emptied when it comes round again. Used for retry budgets
 * (requests, retries) and breakers' error rates (requests, failures).
 */
export class SlidingWindow {
  static readonly SPAN_MS = SLOTS * SLOT_MS;
  private readonly a = new Array<number>(SLOTS).fill(0);
  private readonly b = new Array<number>(SLOTS).fill(0);
  private readonly epochs = new Array<number>(SLOTS).fill(-Infinity);

  add(now: number, a: number, b: number): void {
    const slot = this.slot(now);
    this.a[slot] = (this.a[slot] ?? 0) + a;
    this.b[slot] = (this.b[slot] ?? 0) + b;
  }

  /** Both counts over the window ending now. */
  sums(now: number): { a: number; b: number } {
    const epoch = Math.floor(now / SLOT_MS);
    let a = 0;
    let b = 0;
    for (let i = 0; i < SLOTS; i++) {
      if ((this.epochs[i] ?? -Infinity) <= epoch - SLOTS) continue;
      a += this.a[i] ?? 0;
      b += this.b[i] ?? 0;
    }
    return { a, b };
  }

  clear(): void {
    this.a.fill(0);
    this.b.fill(0);
    this.epochs.fill(-Infinity);
  }

  /** The slot for `now`, emptied first when it last held an older second. */
  private slot(now: number): number {
    const epoch = Math.floor(now / SLOT_MS);
    const slot = ((epoch % SLOTS) + SLOTS) % SLOTS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.a[slot] = 0;
      this.b[slot] = 0;
    }
    return slot;
  }
}
