import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressBoard, truncateAnsi, type ProgressBoardOptions } from '../../../src/ui/progress-board.js';

const style = new Chalk({ level: 1 });

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A small terminal: enough of one to replay what the board writes (text, \n, \r, cursor up,
 * erase line, erase below, auto-wrap at `width`, wide characters taking two cells, and re-wrapping
 * its lines when resized, as most terminals do) and read the screen back, so the tests check what
 * a person would see, not only which bytes went out.
 */
class Screen {
  lines: string[][] = [[]];
  /** Rows that continue on the next one (auto-wrapped, not ended by \n). */
  wrapped = new Set<number>();
  row = 0;
  col = 0;
  constructor(private width = 200) {}

  /** The terminal narrows or widens: every line is re-wrapped; the cursor stays below them. */
  resize(width: number): void {
    expect(this.col).toBe(0); // the board always leaves the cursor at the start of a line
    const logical: string[][] = [];
    let current: string[] = [];
    for (let r = 0; r < this.row; r++) {
      current.push(...(this.lines[r] ?? []));
      if (!this.wrapped.has(r)) {
        logical.push(current);
        current = [];
      }
    }
    this.width = width;
    this.lines = [[]];
    this.wrapped = new Set();
    this.row = 0;
    for (const cells of logical) {
      this.feedCells(cells.filter((c) => c !== ''));
      this.newline();
    }
  }

  feed(data: string): void {
    let i = 0;
    while (i < data.length) {
      // eslint-disable-next-line no-control-regex
      const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(data.slice(i));
      if (m) {
        const [all, arg = '', cmd] = m;
        if (cmd === 'A') this.row = Math.max(0, this.row - Number(arg || '1'));
        else if (cmd === 'K' && arg === '2') {
          this.lines[this.row] = [];
          this.wrapped.delete(this.row);
        } else if (cmd === 'J') {
          this.lines[this.row] = (this.lines[this.row] ?? []).slice(0, this.col);
          this.lines.length = this.row + 1;
          for (const r of this.wrapped) if (r >= this.row) this.wrapped.delete(r);
        } else if (cmd !== 'm') throw new Error(`unexpected escape ${JSON.stringify(all)}`);
        i += all.length;
        continue;
      }
      const ch = data[i] ?? '';
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') {
        this.wrapped.delete(this.row);
        this.newline();
      }
      if (ch === '\r' || ch === '\n') {
        i++;
        continue;
      }
      // eslint-disable-next-line no-control-regex
      const next = data.slice(i).search(/[\x1b\r\n]/);
      const plain = next === -1 ? data.slice(i) : data.slice(i, i + next);
      this.feedCells([...graphemes.segment(plain)].map((g) => g.segment));
      i += plain.length;
    }
  }

  /** Grapheme clusters at the cursor; a wide one takes its cell and an empty one after it. */
  private feedCells(cells: readonly string[]): void {
    for (const g of cells) {
      const w = stringWidth(g);
      if (this.col + w > this.width) {
        this.wrapped.add(this.row);
        this.newline();
      }
      const line = (this.lines[this.row] ??= []);
      while (line.length < this.col) line.push(' ');
      line[this.col++] = g;
      if (w === 2) line[this.col++] = '';
    }
  }

  private newline(): void {
    this.row++;
    this.col = 0;
    this.lines[this.row] ??= [];
  }

  /** The screen's text, trailing blank lines dropped. */
  text(): string[] {
    const out = this.lines.map((l) => l.join('').trimEnd());
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }
}

function setup(opts: Partial<ProgressBoardOptions> = {}, width?: number) {
  const writes: string[] = [];
  const screen = new Screen(width);
  const board = new ProgressBoard({
    write: (t) => {
      writes.push(t);
      screen.feed(t);
    },
    style,
    title: 'shop',
    ...opts,
  });
  return { board, writes, screen };
}

/** Collapses runs of spaces so assertions read like the board, not like its padding. */
const squash = (s: string): string => s.replace(/ {2,}/g, ' ');

describe('ProgressBoard', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('draws a header and one row per service, in the given order, on the first event', () => {
    const { board, writes, screen } = setup({ services: ['db', 'api', 'web'], waitReady: true });
    expect(writes).toEqual([]);
    board.event({ type: 'waiting', service: 'api', on: ['db'] }, 0);
    expect(writes).toHaveLength(1);
    // Nothing on screen yet: no cursor movement, every line erased before it is written.
    expect(writes[0]?.startsWith('\x1b[2K')).toBe(true);
    expect(writes[0]?.split('\x1b[2K')).toHaveLength(5);
    expect(screen.text().map(squash)).toEqual([
      'shop 0/3 ready 0.0s',
      '⠋ db pending',
      '⠋ api waiting on db 0.0s',
      '⠋ web pending',
    ]);
    expect(writes[0]).toContain(style.yellow('waiting on db'));
  });

  it('updates rows in place: cursor up over the whole board, no duplicated lines', () => {
    const { board, writes, screen } = setup({ services: ['db', 'api'], waitReady: true });
    board.event({ type: 'starting', service: 'db' }, 0);
    board.event({ type: 'waiting', service: 'api', on: ['db'] }, 0);
    // Within the throttle window: nothing written until the next tick.
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(80);
    expect(writes).toHaveLength(2);
    expect(writes[1]?.startsWith('\x1b[3A\r')).toBe(true);
    expect(screen.text().map(squash)).toEqual([
      'shop 0/2 ready 0.1s',
      '⠙ db starting 0.0s',
      '⠙ api waiting on db 0.0s',
    ]);

    vi.advanceTimersByTime(1000);
    board.event({ type: 'started', service: 'db' }, 1100);
    board.event({ type: 'ready', service: 'db', condition: 'healthy' }, 1150);
    vi.advanceTimersByTime(80);
    expect(screen.text()).toHaveLength(3);
    expect(squash(screen.text()[1] ?? '')).toBe('✔ db healthy 1.1s');
    expect(squash(screen.text()[0] ?? '')).toMatch(/^shop 1\/2 ready 1\.\ds$/);
  });

  it('shows waiting → starting → started → healthy, with the time each was reached', () => {
    const { board, screen } = setup({ waitReady: true });
    // Read after the next tick: an event right after a redraw waits for it (throttle).
    const rowText = (): string => {
      vi.advanceTimersByTime(80);
      return squash(screen.text()[1] ?? '');
    };
    board.event({ type: 'waiting', service: 'api', on: ['db', 'cache'] }, 0);
    expect(rowText()).toMatch(/^. api waiting on db, cache 0\.0s$/);
    vi.advanceTimersByTime(420);
    board.event({ type: 'starting', service: 'api' }, 500);
    expect(rowText()).toMatch(/^. api starting 0\.5s$/);
    vi.advanceTimersByTime(420);
    board.event({ type: 'started', service: 'api' }, 1000);
    // With --wait, started is not done yet: still a spinner.
    expect(rowText()).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] api started 1\.0s$/);
    vi.advanceTimersByTime(1020);
    board.event({ type: 'ready', service: 'api', condition: 'healthy' }, 2100);
    expect(rowText()).toBe('✔ api healthy 2.1s');
    expect(squash(screen.text()[0] ?? '')).toBe('shop 1/1 ready 2.2s');
  });

  it('counts started as done without --wait', () => {
    const { board, screen } = setup();
    board.event({ type: 'started', service: 'api' }, 300);
    expect(screen.text().map(squash)).toEqual(['shop 1/1 started 0.0s', '✔ api started 0.3s']);
  });

  it('shows a failed service with its reason, and a skipped dependent with why', () => {
    const { board, screen } = setup({ services: ['db', 'api'], waitReady: true });
    board.event({ type: 'image', service: 'db', image: 'shop-db', action: 'building' }, 0);
    expect(squash(screen.text()[1] ?? '')).toBe('⠋ db building image');
    vi.advanceTimersByTime(100);
    board.event({ type: 'failed', service: 'db', reason: 'exited with code 3' }, 100);
    vi.advanceTimersByTime(100);
    board.event({ type: 'skipped', service: 'api', because: 'db failed: exited with code 3' }, 200);
    board.finish();
    expect(screen.text().map(squash)).toEqual([
      'shop 0/2 ready 1 failed 1 not started 0.2s',
      '✘ db failed: exited with code 3 0.1s',
      '✘ api not started: db failed: exited with code 3 0.2s',
    ]);
    expect(screen.text()[1]).toContain('✘ db');
  });

  it('prints steps that are not a service state as permanent lines above the board', () => {
    const { board, writes, screen } = setup({ services: ['db', 'api'] });
    board.event({ type: 'network', name: 'shop_default', action: 'created' }, 10);
    board.event({ type: 'volume', name: 'shop_data', action: 'created' }, 20);
    board.event({ type: 'starting', service: 'db' }, 30);
    vi.advanceTimersByTime(100);
    board.event({ type: 'image', service: 'api', image: 'shop-api', action: 'built' }, 100);
    board.event({ type: 'warning', service: 'api', message: 'optional dependency x failed' }, 110);
    board.line('api build | Step 1/3');
    board.event({ type: 'container', service: 'db', name: 'shop-db-2', action: 'removed' }, 120);
    board.event({ type: 'orphan', name: 'shop-old-1' }, 130);
    expect(screen.text().map(squash)).toEqual([
      '[ 0.0s] network shop_default: created',
      '[ 0.0s] volume shop_data: created',
      '[ 0.1s] api: image shop-api built',
      '[ 0.1s] api: warning: optional dependency x failed',
      'api build | Step 1/3',
      '[ 0.1s] db: container shop-db-2 removed',
      '[ 0.1s] removed orphan container shop-old-1 (its service is no longer in the file)',
      'shop 0/2 started 0.1s',
      expect.stringMatching(/^. db starting 0\.0s$/),
      '⠙ api pending',
    ]);
    // A permanent line clears the board below the cursor first, then the board is drawn again.
    const last = writes.at(-1) ?? '';
    expect(last.startsWith('\x1b[3A\r\x1b[J')).toBe(true);
    expect(stripVTControlCharacters(last).split('\n')[0]).toContain('removed orphan container');
  });

  it('notes container actions on the row and clears image activity when the image is ready', () => {
    const { board, screen } = setup({ waitReady: true });
    board.event({ type: 'image', service: 'cache', image: 'redis:7', action: 'pulling' }, 0);
    expect(squash(screen.text()[1] ?? '')).toBe('⠋ cache pulling redis:7');
    board.event({ type: 'image', service: 'cache', image: 'redis:7', action: 'pulled' }, 0);
    board.event({ type: 'starting', service: 'cache' }, 0);
    board.event({ type: 'container', service: 'cache', name: 'shop-cache-1', action: 'created' }, 0);
    board.event({ type: 'container', service: 'cache', name: 'shop-cache-2', action: 'recreated' }, 0);
    board.event({ type: 'ready', service: 'cache', condition: 'running' }, 400);
    board.finish();
    expect(screen.text().map(squash)).toEqual([
      '[ 0.0s] cache: image redis:7 pulled',
      'shop 1/1 ready 0.0s',
      '✔ cache running 0.4s (1 created, 1 recreated)',
    ]);
  });

  it('adds rows as services first appear when no order was given', () => {
    const { board, screen } = setup();
    board.event({ type: 'starting', service: 'db' }, 0);
    vi.advanceTimersByTime(80);
    board.event({ type: 'waiting', service: 'api', on: ['db'] }, 80);
    vi.advanceTimersByTime(80);
    expect(screen.text().map((l) => squash(l).split(' ')[1])).toEqual(['0/2', 'db', 'api']);
  });

  it('cuts a long status to the terminal width, keeping the time in view; redraws stay in place', () => {
    const width = 40;
    const { board, screen } = setup({ services: ['api', 'web'], columns: () => width }, width);
    const reason = 'probe http://127.0.0.1:3000/health answered 503 Service Unavailable after 30 tries';
    board.event({ type: 'failed', service: 'api', reason }, 1000);
    board.event({ type: 'starting', service: 'web' }, 1000);
    for (let i = 0; i < 5; i++) vi.advanceTimersByTime(80);
    board.finish();
    const text = screen.text();
    // Had any line wrapped, the cursor-up count would be short and old frames would pile up.
    expect(text).toHaveLength(3);
    for (const line of text) expect([...line].length).toBeLessThanOrEqual(width - 1);
    expect(text[1]).toBe('✘ api  failed: probe http://127…   1.0s');
    expect(text[2]).toBe(`- web  ${'starting'.padEnd(25)}   1.0s`);
  });

  it('cuts a whole row that cannot fit (a very long name), resetting its style', () => {
    const width = 30;
    const name = 'a-service-with-a-very-long-name-indeed';
    const { board, writes, screen } = setup({ columns: () => width }, width);
    board.event({ type: 'failed', service: name, reason: 'exited with code 1' }, 0);
    for (let i = 0; i < 3; i++) vi.advanceTimersByTime(80);
    board.finish();
    const text = screen.text();
    expect(text).toHaveLength(2);
    expect(text[1]).toBe(`✘ ${name.slice(0, width - 4)}…`);
    // The cut falls inside the bold name: the line resets rather than leaking bold/red onwards.
    expect(writes.at(-1)).toContain('…\x1b[0m\n');
  });

  it('shortens a board taller than the terminal, so cursor-up never runs off the top', () => {
    const services = Array.from({ length: 10 }, (_, i) => `svc${i}`);
    const { board, writes, screen } = setup({ services, rows: () => 6 });
    board.event({ type: 'starting', service: 'svc0' }, 0);
    vi.advanceTimersByTime(80);
    // Header, three rows and the '… more' line: one line short of the screen.
    expect(writes[1]?.startsWith('\x1b[5A\r')).toBe(true);
    expect(screen.text().map(squash)).toEqual([
      'shop 0/10 started 0.1s',
      expect.stringMatching(/^. svc0 starting 0\.0s$/),
      '⠙ svc1 pending',
      '⠙ svc2 pending',
      '… 7 more',
    ]);
  });

  it('finish() draws the final frame once, without spinners, and stops the timer', () => {
    const { board, writes, screen } = setup({ services: ['db', 'api'], waitReady: true });
    board.event({ type: 'ready', service: 'db', condition: 'healthy' }, 900);
    board.event({ type: 'waiting', service: 'api', on: ['db'] }, 0);
    vi.advanceTimersByTime(1000);
    const before = writes.length;
    expect(vi.getTimerCount()).toBe(1);
    board.finish();
    expect(writes).toHaveLength(before + 1);
    expect(vi.getTimerCount()).toBe(0);
    expect(screen.text().map(squash)).toEqual([
      'shop 1/2 ready 1.0s',
      '✔ db healthy 0.9s',
      '- api waiting on db 0.0s',
    ]);
    expect(stripVTControlCharacters(writes.at(-1) ?? '')).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    vi.advanceTimersByTime(5000);
    board.finish();
    expect(writes).toHaveLength(before + 1);
  });

  it('writes nothing at all when finished before any event', () => {
    const { board, writes } = setup({ services: ['db'] });
    board.finish();
    vi.advanceTimersByTime(1000);
    expect(writes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('after finish, late events and lines are plain lines below the final board', () => {
    const { board, screen } = setup({ services: ['api'] });
    board.event({ type: 'starting', service: 'api' }, 0);
    board.finish();
    board.event({ type: 'image', service: 'api', image: 'shop-api', action: 'built' }, 2500);
    board.line('orch: stopping');
    expect(screen.text().map(squash)).toEqual([
      'shop 0/1 started 0.0s',
      '- api starting 0.0s',
      '[ 2.5s] api: image shop-api built',
      'orch: stopping',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ProgressBoard: wide characters, emoji and resizing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const cols = (line: string): number => stringWidth(line);

  it('aligns and cuts by terminal columns: CJK names and emoji statuses never wrap, redraws stay in place', () => {
    const width = 36;
    const { board, screen } = setup({ services: ['日本語', 'api'], columns: () => width }, width);
    board.event(
      { type: 'failed', service: '日本語', reason: '🔥 crashed 🔥 with 💥 and 👨‍👩‍👧 and more text' },
      1000,
    );
    board.event({ type: 'waiting', service: 'api', on: ['日本語'] }, 1000);
    for (let i = 0; i < 6; i++) vi.advanceTimersByTime(80);
    board.finish();
    const text = screen.text();
    // Had a line wrapped, cursor-up would fall short and frames would pile up below each other.
    expect(text).toHaveLength(3);
    for (const line of text) expect(cols(line)).toBeLessThanOrEqual(width - 1);
    // The names take the same columns, so the statuses start in one column.
    expect(text[1]).toMatch(/^✘ 日本語 {2}failed: 🔥 crashe…/);
    expect(text[2]).toMatch(/^- api {5}waiting on 日本語/);
    expect(cols(text[1]?.split('failed')[0] ?? '')).toBe(cols(text[2]?.split('waiting')[0] ?? ''));
  });

  it('never splits an emoji or a grapheme when it cuts', () => {
    const family = '👨‍👩‍👧';
    expect(truncateAnsi(`ab${family}cd`, 4)).toBe('ab…');
    expect(truncateAnsi(`ab${family}cd`, 5)).toBe(`ab${family}…`);
    expect(truncateAnsi('日本語テキスト', 7)).toBe('日本語…');
    expect(truncateAnsi('日本語', 6)).toBe('日本語');
  });

  it('after the terminal narrows (and re-wraps the board), resized() redraws it whole, once', () => {
    let width = 70;
    const { board, screen } = setup({ services: ['db', 'api'], columns: () => width }, width);
    board.event({ type: 'waiting', service: 'api', on: ['db', 'cache', 'queue', 'search', 'mailer'] }, 0);
    board.event({ type: 'starting', service: 'db' }, 0);
    vi.advanceTimersByTime(80);
    const before = screen.text();
    expect(before).toHaveLength(3);
    expect(Math.max(...before.map(cols))).toBeGreaterThan(40);
    width = 30;
    screen.resize(width);
    // The terminal re-wrapped the long row onto two rows: the board now takes more rows than lines.
    expect(screen.text().length).toBeGreaterThan(3);
    board.resized();
    const after = screen.text();
    expect(after).toHaveLength(3);
    for (const line of after) expect(cols(line)).toBeLessThanOrEqual(width - 1);
    expect(squash(after[2] ?? '')).toMatch(/^. api waiting on db,… 0\.0s$/);
    // And the next redraws keep it in place.
    for (let i = 0; i < 4; i++) vi.advanceTimersByTime(80);
    expect(screen.text()).toHaveLength(3);
  });

  it('widening needs no clean-up: the board just uses the room', () => {
    let width = 30;
    const { board, screen } = setup({ services: ['api'], columns: () => width }, width);
    board.event({ type: 'waiting', service: 'api', on: ['db', 'cache', 'queue', 'search'] }, 0);
    width = 80;
    screen.resize(width);
    board.resized();
    expect(screen.text().map(squash)).toEqual([
      'shop 0/1 started 0.0s',
      '⠋ api waiting on db, cache, queue, search 0.0s',
    ]);
  });

  it('resized() before the first event or after finish() draws nothing', () => {
    const { board, writes } = setup({ services: ['api'] });
    board.resized();
    board.event({ type: 'starting', service: 'api' }, 0);
    board.finish();
    const n = writes.length;
    board.resized();
    expect(writes).toHaveLength(n);
  });
});

describe('truncateAnsi', () => {
  it('leaves a line that fits alone, escapes not counted', () => {
    const s = `${style.red('abc')}def`;
    expect(truncateAnsi(s, 6)).toBe(s);
    expect(truncateAnsi('abcdef', 6)).toBe('abcdef');
  });

  it('cuts to the width with an ellipsis, keeping escapes, and resets the style', () => {
    const cut = truncateAnsi(`${style.red('abcdef')}ghij`, 5);
    expect(stripVTControlCharacters(cut)).toBe('abcd…');
    expect(cut.startsWith('\x1b[31mabcd')).toBe(true);
    expect(cut.endsWith('…\x1b[0m')).toBe(true);
    expect(truncateAnsi('abcdefgh', 4)).toBe('abc…');
  });
});
