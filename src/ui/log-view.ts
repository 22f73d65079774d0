import type { ChalkInstance } from 'chalk';
import type { LogRecord } from '../core/logs/types.js';

const palette = [
  'cyan',
  'magenta',
  'green',
  'yellow',
  'blue',
  'redBright',
  'cyanBright',
  'magentaBright',
] as const;

/** A colour per service that stays the same across runs (hash of the name, not arrival order). */
export function serviceColor(service: string, style: ChalkInstance): ChalkInstance {
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return style[palette[h % palette.length] ?? 'cyan'];
}

export function logPrefix(service: string, replica: number, width: number, style: ChalkInstance): string {
  const name = `${service}-${replica}`;
  return serviceColor(service, style)(`${name.padEnd(width)} |`);
}

export interface LineFormatOptions {
  /** chalk at level 0 when colour is off: then prefixes are plain text. */
  readonly style: ChalkInstance;
  readonly timestamps: boolean;
  /** The replicas known up front, so every prefix is padded to the widest. */
  readonly replicas: readonly { readonly service: string; readonly replica: number }[];
}

/**
 * `service-N | line` (or `service-N | <ts> line`), the prefix padded to the widest replica name
 * and coloured per service. Prefixes are built once per replica: this runs on every line.
 */
export class LineFormatter {
  private width: number;
  private readonly prefixes = new Map<string, string>();
  // The previous line's replica and prefix: consecutive lines mostly come from the same replica.
  private lastService = '';
  private lastReplica = -1;
  private lastPrefix = '';

  constructor(private readonly opts: LineFormatOptions) {
    this.width = Math.max(0, ...opts.replicas.map((r) => `${r.service}-${r.replica}`.length));
  }

  format(r: LogRecord): string {
    let p = this.lastPrefix;
    if (r.replica !== this.lastReplica || r.service !== this.lastService) {
      p = this.prefix(r.service, r.replica);
      this.lastService = r.service;
      this.lastReplica = r.replica;
      this.lastPrefix = p;
    }
    return this.opts.timestamps ? `${p} ${r.ts} ${r.line}` : `${p} ${r.line}`;
  }

  private prefix(service: string, replica: number): string {
    const key = `${service}\u0000${replica}`;
    const known = this.prefixes.get(key);
    if (known !== undefined) return known;
    const name = `${service}-${replica}`;
    if (name.length > this.width) {
      // A replica that appeared later and is wider: widen every prefix from now on.
      this.width = name.length;
      this.prefixes.clear();
    }
    const made = logPrefix(service, replica, this.width, this.opts.style);
    this.prefixes.set(key, made);
    return made;
  }
}

/** `--json`: one compact object per line, ids only when found. */
export function jsonLogLine(r: LogRecord): string {
  const ids =
    (r.requestId === undefined ? '' : `,"requestId":${JSON.stringify(r.requestId)}`) +
    (r.traceId === undefined ? '' : `,"traceId":${JSON.stringify(r.traceId)}`);
  return `{"ts":${JSON.stringify(r.ts)},"service":${JSON.stringify(r.service)},"replica":${r.replica},"stream":"${r.stream}","line":${JSON.stringify(r.line)}${ids}}`;
}

const CHUNK_CHARS = 64 * 1024;

/**
 * Lines to stdout in large writes (not one write per line), waiting for 'drain' when the reader
 * is slower. A reader that went away (`orch logs | head`) ends the output quietly.
 */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;
  private blocked: Promise<void> | undefined;
  private scheduled = false;
  closed = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw err;
    });
  }

  /** Many lines, waiting for the reader when needed: the historic path. */
  async writeAll<T>(items: readonly T[], format: (item: T) => string): Promise<void> {
    for (let i = 0; i < items.length && !this.closed; i++) {
      const text = format(items[i] as T);
      this.parts.push(text);
      this.size += text.length + 1;
      if (this.size >= CHUNK_CHARS) await this.drainOut();
    }
    await this.drainOut();
  }

  /** Live lines: queued, written on the next turn in one chunk (or after 'drain'). */
  push(text: string): void {
    if (this.closed) return;
    this.parts.push(text);
    this.size += text.length + 1;
    if (!this.scheduled && !this.blocked) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drainOut();
      });
    }
  }

  /** Writes all queued lines; resolves once the stream has taken them. */
  async drainOut(): Promise<void> {
    while (this.blocked) await this.blocked;
    if (this.parts.length === 0 || this.closed) return;
    const chunk = `${this.parts.join('\n')}\n`;
    this.parts = [];
    this.size = 0;
    if (this.stream.write(chunk)) return;
    this.blocked = new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    }).finally(() => {
      this.blocked = undefined;
      // Lines queued while blocked.
      if (this.parts.length > 0) void this.drainOut();
    });
    await this.blocked;
  }
}
