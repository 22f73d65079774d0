/** The window retries are measured over, in slots of one second. */
const SLOTS = 10;
const SLOT_MS = 1_000;

/** Retries allowed per window whatever the traffic, so a quiet route can still retry a blip. */
export const RETRY_FLOOR = 10;

/**
 * A route's retry budget: a retry is allowed while the retries of the last 10 s stay under
 * `ratio` × the requests of the last 10 s, plus a small floor (Finagle's and Linkerd's rule). When
 * every replica fails, retries stop at that share instead of multiplying the load on an outage.
 * Counts live in ten one-second slots, so the window slides without keeping a list of times.
 */
export class RetryBudget {
  private readonly requests = new Array<number>(SLOTS).fill(0);
  private readonly retries = new Array<number>(SLOTS).fill(0);
  private readonly epochs = new Array<number>(SLOTS).fill(-1);

  constructor(
    readonly ratio: number,
    private readonly now: () => number,
    readonly floor = RETRY_FLOOR,
  ) {}

  /** A new client request on the route. */
  request(): void {
    const slot = this.slot();
    this.requests[slot] = (this.requests[slot] ?? 0) + 1;
  }

  /** Takes one retry from the budget when there is one left; false means do not retry. */
  tryRetry(): boolean {
    const slot = this.slot();
    const epoch = this.epochs[slot] ?? 0;
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < SLOTS; i++) {
      if ((this.epochs[i] ?? -1) <= epoch - SLOTS) continue;
      requests += this.requests[i] ?? 0;
      retries += this.retries[i] ?? 0;
    }
    if (retries >= this.floor + this.ratio * requests) return false;
    this.retries[slot] = (this.retries[slot] ?? 0) + 1;
    return true;
  }

  /** The current slot, emptied first when it last held an older second. */
  private slot(): number {
    const epoch = Math.floor(this.now() / SLOT_MS);
    const slot = epoch % SLOTS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.requests[slot] = 0;
      this.retries[slot] = 0;
    }
    return slot;
  }
}
