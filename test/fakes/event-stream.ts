import type { RuntimeEvent } from '../../src/core/runtime/port.js';

interface Subscriber {
  readonly project: string;
  push(e: RuntimeEvent): void;
  fail(err: Error): void;
}

/** A runtime's event stream in memory: each subscriber gets what is sent from then on, until it breaks. */
export class FakeEventStream {
  private readonly subscribers = new Set<Subscriber>();

  send(project: string, e: RuntimeEvent): void {
    for (const s of this.subscribers) if (s.project === project) s.push(e);
  }

  /** Every stream open now throws (the engine went away). */
  breakAll(err: Error): void {
    for (const s of [...this.subscribers]) s.fail(err);
    this.subscribers.clear();
  }

  async *subscribe(project: string, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const queue: RuntimeEvent[] = [];
    let failure: Error | undefined;
    let wakeUp: (() => void) | undefined;
    const sub: Subscriber = {
      project,
      push: (e) => {
        queue.push(e);
        wakeUp?.();
      },
      fail: (err) => {
        failure = err;
        wakeUp?.();
      },
    };
    this.subscribers.add(sub);
    try {
      while (!signal.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    } finally {
      this.subscribers.delete(sub);
    }
  }
}
