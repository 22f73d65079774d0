import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from './ports.js';

/**
 * Docker's attach/logs/exec streams for a container without a TTY are multiplexed: each frame is
 * an 8-byte header (stream type, 3 zero bytes, big-endian uint32 payload length) and the payload.
 * Chunks from the socket cut frames anywhere, including inside the header, so the demuxer keeps
 * what it has not yet been able to use.
 */

export type OutputStream = 'stdout' | 'stderr';

export interface Frame {
  readonly stream: OutputStream;
  readonly data: Buffer;
}

/** A frame's payload as a range of `buf` (no copy, no Buffer object per frame). */
export type FrameVisitor = (stream: OutputStream, buf: Buffer, start: number, end: number) => void;

const HEADER_BYTES = 8;
const LF = 0x0a;

export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  /** Complete frames now available; a frame cut by the chunk boundary waits for the next chunk. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.each(chunk, (stream, buf, start, end) => frames.push({ stream, data: buf.subarray(start, end) }));
    return frames;
  }

  /**
   * Visits each complete frame now available, in order: the hot path of `orch logs` (one call per
   * frame, and the engine sends one frame per log line). The ranges stay valid after the call.
   */
  each(chunk: Buffer, visit: FrameVisitor): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const length = buf.length;
    let offset = 0;
    while (length - offset >= HEADER_BYTES) {
      const type = buf[offset];
      const size = buf.readUInt32BE(offset + 4);
      const start = offset + HEADER_BYTES;
      if (length - start < size) break;
      // Type 0 is stdin, which the engine only echoes for TTY-less attach: report it as stdout.
      visit(type === 2 ? 'stderr' : 'stdout', buf, start, start + size);
      offset = start + size;
    }
    // Copy the remainder so the ranges handed out never alias a buffer we later concat onto.
    this.pending = offset === length ? Buffer.alloc(0) : Buffer.from(buf.subarray(offset));
  }

  /** Bytes left over: a truncated frame when the stream ended early. */
  get leftover(): number {
    return this.pending.length;
  }
}

export interface RawLine {
  readonly stream: OutputStream;
  readonly line: string;
}

/**
 * Splits each stream's bytes into lines. Each stream has its own decoder and partial line: a UTF-8
 * character or a line may span frames, and stdout and stderr frames interleave.
 */
export class LineSplitter {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  /**
   * True while everything pushed on the stream ended with a newline: then nothing is held (no
   * partial line, no incomplete UTF-8 sequence: a newline byte is never inside one), and the next
   * bytes can be decoded on their own.
   */
  private readonly clean: Record<OutputStream, boolean> = { stdout: true, stderr: true };

  push(stream: OutputStream, data: Buffer): RawLine[] {
    const out: RawLine[] = [];
    this.pushRange(stream, data, 0, data.length, (s, text, from, to) =>
      out.push({ stream: s, line: text.slice(from, to) }),
    );
    return out;
  }

  /**
   * The lines completed by `buf[start, end)`, handed to `emit` in order, each as `text[from, to)`
   * without its line end (slicing is left to the caller). Fast path (the engine sends each log
   * line as one frame ending in a newline): decode the range as one string.
   */
  pushRange(stream: OutputStream, buf: Buffer, start: number, end: number, emit: LineVisitor): void {
    if (end <= start) return;
    const endsLine = buf[end - 1] === LF;
    let text: string;
    if (this.clean[stream] && endsLine) {
      text = buf.toString('utf8', start, end);
    } else {
      text = this.partial[stream] + this.decoders[stream].write(buf.subarray(start, end));
    }
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      emit(stream, text, from, withoutCr(text, from, nl));
      from = nl + 1;
    }
    this.partial[stream] = from === 0 ? text : from === text.length ? '' : text.slice(from);
    this.clean[stream] = endsLine;
  }

  /** The last, unterminated line of each stream (and any incomplete UTF-8 sequence, replaced). */
  end(): RawLine[] {
    const out: RawLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = '';
      this.clean[stream] = true;
      if (rest !== '') out.push({ stream, line: rest.slice(0, withoutCr(rest, 0, rest.length)) });
    }
    return out;
  }
}

/** A line as `text[from, to)`. */
export type LineVisitor = (stream: OutputStream, text: string, from: number, to: number) => void;

// TTY output ends lines with \r\n: the end of the line without it.
function withoutCr(text: string, from: number, to: number): number {
  return to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
}

// The engine's RFC3339Nano timestamp and the space after it. Sticky: matched in place at an offset
// (a compiled regex is several times faster here than a hand-written loop of charCodeAt).
const TS_PREFIX = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}) /y;

/**
 * Length of the engine's timestamp at the start of `line[from, to)` when a space follows it
 * (`2006-01-02T15:04:05[.fraction](Z|±hh:mm) `), else 0. Runs on every line of `orch logs`.
 */
export function timestampLength(line: string, from = 0, to = line.length): number {
  TS_PREFIX.lastIndex = from;
  if (!TS_PREFIX.test(line) || TS_PREFIX.lastIndex > to) return 0;
  return TS_PREFIX.lastIndex - 1 - from;
}

/** The engine prefixes each line with its timestamp and a space when asked. */
export function splitTimestamp(line: string): { ts: string; line: string } {
  const len = timestampLength(line);
  if (len === 0) return { ts: '', line };
  return { ts: line.slice(0, len), line: line.slice(len + 1) };
}

/**
 * Bytes of a container's log (or exec) stream in, `LogLine`s out, one array per chunk (what
 * arrived together travels together). `tty`: the container has a TTY, so the stream is raw (no
 * frames) and all of it is stdout.
 */
export class LogDecoder {
  private readonly demux = new FrameDemuxer();
  private readonly lines = new LineSplitter();
  private out: LogLine[] = [];
  private readonly emit: LineVisitor;
  private readonly visit: FrameVisitor;

  constructor(private readonly opts: { readonly tty: boolean; readonly timestamps: boolean }) {
    this.emit = opts.timestamps
      ? (stream, text, from, to) => {
          const len = timestampLength(text, from, to);
          this.out.push(
            len === 0
              ? { stream, ts: '', line: text.slice(from, to) }
              : { stream, ts: text.slice(from, from + len), line: text.slice(from + len + 1, to) },
          );
        }
      : (stream, text, from, to) => {
          this.out.push({ stream, ts: '', line: text.slice(from, to) });
        };
    this.visit = (stream, buf, start, end) => this.lines.pushRange(stream, buf, start, end, this.emit);
  }

  push(chunk: Buffer): LogLine[] {
    if (this.opts.tty) this.lines.pushRange('stdout', chunk, 0, chunk.length, this.emit);
    else this.demux.each(chunk, this.visit);
    return this.take();
  }

  end(): LogLine[] {
    for (const { stream, line } of this.lines.end()) this.emit(stream, line, 0, line.length);
    return this.take();
  }

  private take(): LogLine[] {
    const lines = this.out;
    this.out = [];
    return lines;
  }
}
