/**
 * Ctrl-C as one AbortSignal for every loop. The first press aborts `signal` (graceful clean-up);
 * a second press aborts `force` (kill at once).
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  readonly force: AbortSignal;
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const graceful = new AbortController();
  const force = new AbortController();
  const handler = (): void => {
    if (!graceful.signal.aborted) graceful.abort(new InterruptedError());
    else force.abort(new InterruptedError());
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: graceful.signal,
    force: force.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AbortError';
  }
}
