/**
 * Ctrl-C as one AbortSignal for every loop. The first press aborts `signal` (graceful clean-up);
 * a second press aborts `force` (kill at once).
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  readonly force: AbortSignal;
  dispose(): void;
}

/** Signals that mean "stop": Ctrl-C, a polite kill, and the terminal going away. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * One Ctrl-C often arrives twice: the terminal signals the whole process group and a wrapper
 * such as `npm start` forwards it to its child as well. Within this window it counts once.
 */
const SAME_PRESS_MS = 300;

export function onInterrupt(): Interrupt {
  const graceful = new AbortController();
  const force = new AbortController();
  let firstAt = 0;
  const handler = (): void => {
    if (!graceful.signal.aborted) {
      firstAt = Date.now();
      graceful.abort(new InterruptedError());
    } else if (Date.now() - firstAt > SAME_PRESS_MS) force.abort(new InterruptedError());
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return {
    signal: graceful.signal,
    force: force.signal,
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, handler);
    },
  };
}

/**
 * A reader that went away (`orch up | head`, a closed terminal, `tee` killed by the same Ctrl-C)
 * must not crash orch half-way through cleaning up: output to a closed stream is dropped.
 */
export function tolerateClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
      throw err;
    });
  }
}

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'AbortError';
  }
}
