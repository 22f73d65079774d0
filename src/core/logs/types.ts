/** One line of a replica's output, as orch shows, filters and stores it. */
export interface LogRecord {
  /**
   * RFC3339Nano from the engine, normalised to nine fraction digits and `Z` so that plain string
   * comparison is time order (the engine trims trailing zeros, which breaks string order).
   */
  readonly ts: string;
  readonly service: string;
  readonly replica: number;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
  readonly requestId?: string;
  readonly traceId?: string;
}

/** A record as read from the engine: it also knows the container it came from (for the store's marks). */
export interface SourcedRecord extends LogRecord {
  readonly containerId: string;
}

/** One engine-side source of lines. */
export interface LogSource {
  readonly containerId: string;
  readonly service: string;
  readonly replica: number;
}

const NANO_LEN = '2006-01-02T15:04:05.000000000Z'.length;
const ZEROS = '000000000';

/**
 * The engine's timestamp in a fixed-width form. Fast path: already 30 chars ending in Z. An offset
 * other than Z is converted to UTC (millisecond precision is kept plus the original fraction digits).
 */
export function normalizeTs(ts: string): string {
  if (ts.length === NANO_LEN && ts.charCodeAt(NANO_LEN - 1) === 90 /* Z */) return ts;
  if (ts === '') return ts;
  const dot = ts.indexOf('.', 19);
  let end = ts.length;
  const last = ts.charCodeAt(end - 1);
  const zulu = last === 90;
  if (zulu) end -= 1;
  else {
    // +hh:mm / -hh:mm
    end -= 6;
  }
  const fraction = dot === -1 ? '' : ts.slice(dot + 1, end);
  const secondsPart = ts.slice(0, dot === -1 ? end : dot);
  const digits = (fraction + ZEROS).slice(0, 9);
  if (zulu) return `${secondsPart}.${digits}Z`;
  const ms = Date.parse(`${secondsPart}${ts.slice(end)}`);
  if (Number.isNaN(ms)) return ts;
  return `${new Date(ms).toISOString().slice(0, 19)}.${digits}Z`;
}

/** Seconds since the epoch of a normalised ts (floor), for the engine's `since`. */
export function tsSeconds(ts: string): number {
  return Math.floor(Date.parse(`${ts.slice(0, 19)}Z`) / 1000);
}
