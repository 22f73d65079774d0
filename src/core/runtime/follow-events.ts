import type { Clock } from '../ports.js';
import type { RuntimeEvent } from './port.js';

/** Reconnecting to a runtime's event stream: first retry, and the cap of the doubling delay. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;
/** How long a new event stream gets to subscribe before the caller re-reads the runtime. */
const RESYNC_AFTER_MS = 500;

export interface EventHandlers {
  onEvent(ev: RuntimeEvent): void;
  /**
   * The stream broke (the engine restarted or went away) and a new one has had time to
   * subscribe: re-read the runtime, since what changed in the gap came as no event. A change
   * made between the re-read and the subscription is not missed; one seen twice must be no news.
   */
  onResubscribed(): Promise<void> | void;
}

/**
 * Follows an event stream until `stop` aborts, opening it again with backoff whenever it breaks.
 * `open` is called once per subscription.
 */
export function followEvents(
  open: (signal: AbortSignal) => AsyncIterable<RuntimeEvent>,
  clock: Clock,
  stop: AbortSignal,
  handlers: EventHandlers,
): void {
  void (async () => {
    let delay = RECONNECT_MIN_MS;
    let lost = false;
    while (!stop.aborted) {
      try {
        const stream = open(stop);
        if (lost)
          void clock
            .sleep(RESYNC_AFTER_MS, stop)
            .then(() => handlers.onResubscribed())
            .catch(() => undefined);
        for await (const ev of stream) {
          delay = RECONNECT_MIN_MS;
          handlers.onEvent(ev);
        }
      } catch {
        // The engine went away; reconnect below.
      }
      if (stop.aborted) return;
      lost = true;
      await clock.sleep(delay, stop).catch(() => undefined);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    }
  })();
}
