/** 5 failures inside 60s is a crash loop, not bad luck. */
export const CRASHLOOP_FAILURES = 5;
export const CRASHLOOP_WINDOW_MS = 60_000;

/**
 * Sliding window of one replica's failure times. Once in a crash loop it stays there until
 * `recover()` (the replica stayed up: the backoff reset rule), however sparse later failures are:
 * retries at the max delay would otherwise fall out of the window and look healthy.
 */
export class CrashLoopDetector {
  private failures: number[] = [];
  private looping = false;

  constructor(
    private readonly threshold = CRASHLOOP_FAILURES,
    private readonly windowMs = CRASHLOOP_WINDOW_MS,
  ) {}

  /** Records a failure at `at`; true when this failure enters the crash loop. */
  record(at: number): boolean {
    this.failures = this.failures.filter((t) => t > at - this.windowMs);
    this.failures.push(at);
    if (this.looping || this.failures.length < this.threshold) return false;
    this.looping = true;
    return true;
  }

  get inCrashLoop(): boolean {
    return this.looping;
  }

  /** Failures inside the window ending at `at`. */
  recent(at: number): number {
    return this.failures.filter((t) => t > at - this.windowMs).length;
  }

  /**
   * The replica stayed up. Leaves a crash loop (true) and forgets its failures, so the next one
   * does not re-enter at once. Outside a crash loop the window is left alone: five failures in 60s
   * are a loop even when the replica came up for a while between them.
   */
  recover(): boolean {
    if (!this.looping) return false;
    this.looping = false;
    this.failures = [];
    return true;
  }
}
