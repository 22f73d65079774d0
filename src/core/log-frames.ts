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

const HEADER_BYTES = 8;

export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  /** Complete frames now available; a frame cut by the chunk boundary waits for the next chunk. */
  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const type = this.pending[offset];
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER_BYTES < size) break;
      const start = offset + HEADER_BYTES;
      // Type 0 is stdin, which the engine only echoes for TTY-less attach: report it as stdout.
      frames.push({
        stream: type === 2 ? 'stderr' : 'stdout',
        data: this.pending.subarray(start, start + size),
      });
      offset = start + size;
    }
    // Copy the remainder so the frames handed out never alias a buffer we later concat onto.
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return frames;
  }

  /** Bytes left over: a truncated frame when the stream ended early. */
  get leftover(): number {
    return this.pending.length;
  }
}

/**
 * Splits each stream's bytes into lines. Each stream has its own decoder and partial line: a UTF-8
 * character or a line may span frames, and stdout and stderr frames interleave.
 */
export class LineSplitter {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly partial: Record<OutputStream, string> = { stdout: '', stderr: '' };

  push(stream: OutputStream, data: Buffer): { stream: OutputStream; line: string }[] {
    const text = this.partial[stream] + this.decoders[stream].write(data);
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    return parts.map((line) => ({ stream, line: stripCr(line) }));
  }

  /** The last, unterminated line of each stream (and any incomplete UTF-8 sequence, replaced). */
  end(): { stream: OutputStream; line: string }[] {
    const out: { stream: OutputStream; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = '';
      if (rest !== '') out.push({ stream, line: stripCr(rest) });
    }
    return out;
  }
}

// TTY output ends lines with \r\n.
function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

// The engine prefixes each line with an RFC3339Nano timestamp and a space when asked.
const TS_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

export function splitTimestamp(line: string): { ts: string; line: string } {
  const m = TS_PREFIX.exec(line);
  if (!m?.[1]) return { ts: '', line };
  return { ts: m[1], line: line.slice(m[0].length) };
}

/**
 * Bytes of a container's log (or exec) stream in, `LogLine`s out. `tty`: the container has a TTY,
 * so the stream is raw (no frames) and all of it is stdout.
 */
export class LogDecoder {
  private readonly demux = new FrameDemuxer();
  private readonly lines = new LineSplitter();

  constructor(private readonly opts: { readonly tty: boolean; readonly timestamps: boolean }) {}

  push(chunk: Buffer): LogLine[] {
    if (this.opts.tty) return this.finish(this.lines.push('stdout', chunk));
    const out: LogLine[] = [];
    for (const frame of this.demux.push(chunk))
      out.push(...this.finish(this.lines.push(frame.stream, frame.data)));
    return out;
  }

  end(): LogLine[] {
    return this.finish(this.lines.end());
  }

  private finish(raw: { stream: OutputStream; line: string }[]): LogLine[] {
    return raw.map(({ stream, line }) => {
      if (!this.opts.timestamps) return { stream, ts: '', line };
      const split = splitTimestamp(line);
      return { stream, ts: split.ts, line: split.line };
    });
  }
}
