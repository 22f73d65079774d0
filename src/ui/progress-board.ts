import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import type { UpEvent } from '../core/engine/up.js';
import { renderUpEvent } from './up-view.js';

/**
 * `orch up` on a terminal: one row per service, redrawn in place, under a header with the time
 * since start; steps that are not a service's state (networks, volumes, orphans, images built or
 * pulled, warnings, build output) become permanent lines above the board, in the words of
 * `renderUpEvent`. Only for a colour TTY: off one, `renderUpEvent`'s lines are the output.
 *
 *   [  0.2s] network shop_default: created
 *   shop  2/5 ready  2.3s
 *   ✔ redis    healthy                     1.6s  (1 created)
 *   ✔ migrate  completed                   2.0s  (1 created)
 *   ⠋ api      started                     2.3s  (2 created)
 *   ⠋ web      waiting on api              0.2s
 *   ⠋ worker   starting                    2.0s
 *
 * Each row's time is when it reached its state (the same stamp as the line output), the
 * header's the time since start. Throttled: a change redraws at once unless the last redraw is
 * under 80 ms old, when the spinner's next tick (an unref'd timer, stopped by `finish()`) does.
 *
 * Widths are terminal columns (string-width: a CJK character or an emoji takes two), so no line
 * wraps and cursor-up always lands on the board's first line. After the terminal narrows, the
 * lines already drawn may have been re-wrapped by it: the next redraw moves up over as many
 * screen rows as they now take (`resized()` redraws at once).
 */
export interface ProgressBoardOptions {
  /** Receives the bytes for the terminal, escapes included; nothing else may write there meanwhile. */
  readonly write: (text: string) => void;
  readonly style: ChalkInstance;
  /** Services in start order; others get a row when they first appear. */
  readonly services?: readonly string[];
  /** Header title, e.g. the project name. */
  readonly title?: string;
  /** As `up --wait`: a service is done when ready, not when started. */
  readonly waitReady?: boolean;
  /** Terminal width (read on every redraw); rows are cut to fit so they never wrap. */
  readonly columns?: () => number | undefined;
  /** Terminal height: a board taller than this is shortened, as the cursor cannot move above the screen. */
  readonly rows?: () => number | undefined;
  /** Milliseconds since start for the header; default: `Date.now()` from construction. */
  readonly elapsed?: () => number;
  /** Spinner tick and least time between redraws. */
  readonly intervalMs?: number;
}

type Phase =
  | { kind: 'pending' }
  | { kind: 'waiting'; on: readonly string[] }
  | { kind: 'starting' }
  | { kind: 'started' }
  | { kind: 'ready'; condition: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'skipped'; because: string };

interface Row {
  readonly name: string;
  phase: Phase;
  /** Elapsed ms when the row reached its phase. */
  at: number | undefined;
  /** Image work in progress ('building image'), shown while the phase is not final. */
  activity: string | undefined;
  /** Container actions by count: `created` ×2. */
  readonly containers: Map<string, number>;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ESC = '\x1b[';
/** Status column width cap: a longer status pushes its time further instead of every row's. */
const STATUS_WIDTH_CAP = 32;

export class ProgressBoard {
  private readonly rows: Row[] = [];
  private readonly byName = new Map<string, Row>();
  private readonly elapsed: () => number;
  private readonly intervalMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private finished = false;
  /** Columns of each line of the board now on screen, above the cursor. */
  private drawn: number[] = [];
  private lastDraw = -Infinity;
  private frame = 0;

  constructor(private readonly opts: ProgressBoardOptions) {
    const t0 = Date.now();
    this.elapsed = opts.elapsed ?? ((): number => Date.now() - t0);
    this.intervalMs = opts.intervalMs ?? 80;
    for (const s of opts.services ?? []) this.row(s);
  }

  /** One step of `up`; `elapsedMs` since start, as the line output stamps it. */
  event(e: UpEvent, elapsedMs: number): void {
    if (this.finished) {
      // Late steps (a build still running after Ctrl-C) are plain lines, as off a TTY.
      const line = renderUpEvent(e, elapsedMs, this.opts.style);
      if (line !== undefined) this.opts.write(`${line}\n`);
      return;
    }
    const permanent = this.apply(e, elapsedMs);
    if (permanent !== undefined) this.line(permanent);
    else this.update();
  }

  /** A permanent line above the board (a build line, a warning). */
  line(text: string): void {
    if (this.finished) {
      this.opts.write(`${text}\n`);
      return;
    }
    this.start();
    this.draw(`${text}\n`);
  }

  /** The terminal changed size: redraw now, fitted to it. */
  resized(): void {
    if (!this.finished && this.started) this.draw('');
  }

  /** The final state, drawn once without spinners; the timer stops. Safe to call twice. */
  finish(): void {
    if (this.finished) return;
    this.stopTimer();
    this.finished = true;
    if (this.started) this.draw('');
  }

  /** Applies an event to its row; returns a permanent line to print instead, if it is one. */
  private apply(e: UpEvent, at: number): string | undefined {
    const style = this.opts.style;
    switch (e.type) {
      case 'network':
      case 'volume':
      case 'orphan':
      case 'warning':
        return renderUpEvent(e, at, style);
      case 'image': {
        const row = this.row(e.service);
        if (e.action === 'present') return undefined;
        if (e.action === 'building') row.activity = 'building image';
        else if (e.action === 'pulling') row.activity = `pulling ${e.image}`;
        else {
          row.activity = undefined;
          return renderUpEvent(e, at, style);
        }
        return undefined;
      }
      case 'container': {
        if (e.action === 'removed') return renderUpEvent(e, at, style);
        const row = this.row(e.service);
        row.containers.set(e.action, (row.containers.get(e.action) ?? 0) + 1);
        return undefined;
      }
      case 'waiting':
        this.set(e.service, { kind: 'waiting', on: e.on }, at);
        return undefined;
      case 'starting':
        this.set(e.service, { kind: 'starting' }, at);
        return undefined;
      case 'started':
        this.set(e.service, { kind: 'started' }, at);
        return undefined;
      case 'ready':
        this.set(e.service, { kind: 'ready', condition: e.condition }, at);
        return undefined;
      case 'failed':
        this.set(e.service, { kind: 'failed', reason: e.reason }, at);
        return undefined;
      case 'skipped':
        this.set(e.service, { kind: 'skipped', because: e.because }, at);
        return undefined;
      default: {
        const never: never = e;
        return String(never);
      }
    }
  }

  private set(service: string, phase: Phase, at: number): void {
    const row = this.row(service);
    row.phase = phase;
    row.at = at;
    if (phase.kind === 'failed' || phase.kind === 'skipped') row.activity = undefined;
  }

  private row(name: string): Row {
    let row = this.byName.get(name);
    if (!row) {
      row = { name, phase: { kind: 'pending' }, at: undefined, activity: undefined, containers: new Map() };
      this.rows.push(row);
      this.byName.set(name, row);
    }
    return row;
  }

  /** A state change: redrawn now unless the last redraw was very recent (the next tick catches up). */
  private update(): void {
    this.start();
    if (this.elapsed() - this.lastDraw >= this.intervalMs) this.draw('');
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % SPINNER.length;
      this.draw('');
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Moves to the board's first line, prints `above` (permanent), then the board, all in one write. */
  private draw(above: string): void {
    let out = '';
    const width = this.opts.columns?.();
    const up = screenRows(this.drawn, width);
    // Lines re-wrapped by a narrower terminal take more rows than lines: clear all the old board.
    const rewrapped = up > this.drawn.length;
    if (up > 0) out += `${ESC}${up}A\r${above !== '' || rewrapped ? `${ESC}J` : ''}`;
    out += above;
    const lines = this.frameLines();
    for (const l of lines) out += `${ESC}2K${l}\n`;
    // Never happens while rows are only added, but a shorter board must not leave old rows behind.
    if (lines.length < this.drawn.length && above === '' && !rewrapped) out += `${ESC}J`;
    this.drawn = lines.map((l) => stringWidth(l));
    this.lastDraw = this.elapsed();
    this.opts.write(out);
  }

  private frameLines(): string[] {
    const final = this.finished;
    const s = this.opts.style;
    const now = this.elapsed();
    const nameWidth = Math.max(0, ...this.rows.map((r) => stringWidth(r.name)));
    const statuses = this.rows.map((r) => this.status(r));
    const width = this.opts.columns?.();
    // On a narrow terminal a long status is cut so the time after it stays in view.
    const room = width === undefined ? Infinity : width - 1 - (2 + nameWidth + 2 + 2 + 5);
    const maxStatus = room >= 12 ? room : Infinity;
    const statusWidth = Math.min(
      STATUS_WIDTH_CAP,
      maxStatus,
      Math.max(0, ...statuses.map((t) => stringWidth(t.text))),
    );

    const done = this.rows.filter((r) => this.isDone(r)).length;
    const failed = this.rows.filter((r) => r.phase.kind === 'failed').length;
    const skipped = this.rows.filter((r) => r.phase.kind === 'skipped').length;
    const header = [
      s.bold(this.opts.title ?? 'up'),
      `${done}/${this.rows.length} ${this.opts.waitReady ? 'ready' : 'started'}`,
      ...(failed > 0 ? [s.red(`${failed} failed`)] : []),
      ...(skipped > 0 ? [s.red(`${skipped} not started`)] : []),
      s.dim(seconds(now)),
    ].join('  ');

    const lines = this.rows.map((r, i) => {
      const st = statuses[i] ?? { text: '', colour: (t: string) => t };
      const symbol = this.symbol(r, final);
      const time = r.at === undefined ? '' : seconds(r.at);
      const note = containerNote(r.containers);
      const text = truncateAnsi(st.text, maxStatus);
      const status = st.colour(padEnd(text, statusWidth));
      return `${symbol} ${s.bold(padEnd(r.name, nameWidth))}  ${status}  ${s.dim(time.padStart(5))}${note ? `  ${s.dim(note)}` : ''}`.trimEnd();
    });

    let all = [header, ...lines];
    const height = this.opts.rows?.();
    if (height !== undefined && height > 2 && all.length > height - 1) {
      const keep = height - 2;
      all = [...all.slice(0, keep), s.dim(`… ${all.length - keep} more`)];
    }
    // One column spare: a line exactly as wide as the terminal wraps the cursor on some of them.
    return width !== undefined && width > 1 ? all.map((l) => truncateAnsi(l, width - 1)) : all;
  }

  private status(r: Row): { text: string; colour: (t: string) => string } {
    const s = this.opts.style;
    const plain = (t: string): string => t;
    const p = r.phase;
    const final = p.kind === 'failed' || p.kind === 'skipped' || p.kind === 'ready';
    if (r.activity !== undefined && !final) return { text: r.activity, colour: plain };
    switch (p.kind) {
      case 'pending':
        return { text: 'pending', colour: (t) => s.dim(t) };
      case 'waiting':
        return { text: `waiting on ${p.on.join(', ')}`, colour: (t) => s.yellow(t) };
      case 'starting':
        return { text: 'starting', colour: plain };
      case 'started':
        return { text: 'started', colour: (t) => s.green(t) };
      case 'ready':
        return { text: p.condition, colour: (t) => s.green(t) };
      case 'failed':
        return { text: `failed: ${p.reason}`, colour: (t) => s.red(t) };
      case 'skipped':
        return { text: `not started: ${p.because}`, colour: (t) => s.red(t) };
    }
  }

  private isDone(r: Row): boolean {
    return r.phase.kind === 'ready' || (r.phase.kind === 'started' && !this.opts.waitReady);
  }

  private symbol(r: Row, final: boolean): string {
    const s = this.opts.style;
    if (this.isDone(r)) return s.green('✔');
    if (r.phase.kind === 'failed' || r.phase.kind === 'skipped') return s.red('✘');
    if (final) return s.dim('-');
    return s.cyan(SPINNER[this.frame] ?? SPINNER[0]);
  }
}

/** Rows of the screen that lines of these widths take at `width` columns (each at least one). */
function screenRows(widths: readonly number[], width: number | undefined): number {
  if (width === undefined || width < 1) return widths.length;
  return widths.reduce((n, w) => n + Math.max(1, Math.ceil(w / width)), 0);
}

/** `text` padded with spaces to `cols` terminal columns. */
function padEnd(text: string, cols: number): string {
  return text + ' '.repeat(Math.max(0, cols - stringWidth(text)));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function containerNote(containers: ReadonlyMap<string, number>): string {
  if (containers.size === 0) return '';
  return `(${[...containers].map(([action, n]) => `${n} ${action}`).join(', ')})`;
}

// SGR and other CSI sequences: they take no columns.
// eslint-disable-next-line no-control-regex
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/y;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` as escape sequences (no columns) and grapheme clusters with their width in columns. */
function* cells(text: string): Generator<{ text: string; cols: number }> {
  let i = 0;
  while (i < text.length) {
    CSI.lastIndex = i;
    const m = CSI.exec(text);
    if (m) {
      yield { text: m[0], cols: 0 };
      i += m[0].length;
      continue;
    }
    const next = text.indexOf('\x1b', i + 1);
    const plain = text.slice(i, next === -1 ? text.length : next);
    for (const { segment } of graphemes.segment(plain)) yield { text: segment, cols: stringWidth(segment) };
    i += plain.length;
  }
}

/**
 * `text` cut to `width` terminal columns (escape sequences count for nothing, a wide character or
 * emoji for two, a grapheme is never split), `…` marking the cut, styles reset.
 */
export function truncateAnsi(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  // Over: cut so the ellipsis fits too.
  let out = '';
  let cols = 0;
  for (const c of cells(text)) {
    if (cols + c.cols > width - 1) break;
    out += c.text;
    cols += c.cols;
  }
  return `${out}…${text.includes('\x1b') ? `${ESC}0m` : ''}`;
}
