import type { Clock } from '../ports.js';

/** Sleeps on the clock; false when the signal aborted instead (the loop should end quietly). */
export async function sleepOrAbort(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch (e) {
    if (signal.aborted) return false;
    throw e;
  }
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
