import type { ChalkInstance } from 'chalk';
import type { Project } from '../model/project.js';
import type { UpEvent } from '../core/engine/up.js';
import { topologicalOrder, withDependencies } from '../core/graph.js';
import { ProgressBoard } from '../ui/progress-board.js';
import { renderUpEvent } from '../ui/up-view.js';

/**
 * Where `up`'s steps go while the stack comes up: a live board on a colour terminal, else one
 * stable line per step. `finish()` must run before anything else is printed (it is idempotent,
 * so a `finally` can call it again).
 */
export interface UpProgress {
  readonly onEvent: (e: UpEvent) => void;
  /** A line of its own (build output with --debug): above the board, or printed as is. */
  readonly line: (text: string) => void;
  readonly finish: () => void;
}

/** The live board needs a terminal that takes cursor movement: a TTY, colour on, no --json. */
export function liveProgress(stream: NodeJS.WriteStream, style: ChalkInstance, json: boolean): boolean {
  return !json && stream.isTTY === true && style.level > 0 && process.env['TERM'] !== 'dumb';
}

export function upProgress(opts: {
  readonly project: Project;
  /** Services named on the command line (empty: all), as `upProject` takes them. */
  readonly services: readonly string[];
  readonly waitReady: boolean;
  readonly live: boolean;
  readonly style: ChalkInstance;
  readonly say: (text: string) => void;
  readonly t0: number;
}): UpProgress {
  const elapsed = (): number => Date.now() - opts.t0;
  if (!opts.live)
    return {
      onEvent: (e) => {
        const line = renderUpEvent(e, elapsed(), opts.style);
        if (line) opts.say(line);
      },
      line: (text) => opts.say(text),
      finish: () => undefined,
    };
  const stream = process.stderr;
  const board = new ProgressBoard({
    write: (text) => void stream.write(text),
    style: opts.style,
    services: startOrder(opts.project, opts.services),
    title: opts.project.name,
    waitReady: opts.waitReady,
    columns: () => stream.columns,
    rows: () => stream.rows,
    elapsed,
  });
  // A resized terminal may have re-wrapped the board: redraw it to the new size at once.
  const onResize = (): void => board.resized();
  stream.on('resize', onResize);
  return {
    onEvent: (e) => board.event(e, elapsed()),
    line: (text) => board.line(text),
    finish: () => {
      stream.off('resize', onResize);
      board.finish();
    },
  };
}

/** The services `up` will start, dependencies first; unknown names are left to `up` to reject. */
function startOrder(project: Project, named: readonly string[]): string[] {
  const deps = Object.fromEntries(
    Object.values(project.services).map((s) => [s.name, Object.keys(s.dependsOn)] as const),
  );
  if (named.some((n) => !(n in project.services))) return [];
  const selected = withDependencies(deps, named.length > 0 ? named : Object.keys(deps));
  try {
    return topologicalOrder(
      Object.fromEntries([...selected].map((s) => [s, (deps[s] ?? []).filter((d) => selected.has(d))])),
    );
  } catch {
    return [];
  }
}
