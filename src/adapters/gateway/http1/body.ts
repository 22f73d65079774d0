import { fieldLine, isTokenChar } from './fields.js';
import type { Framing } from './head.js';

const enum Chunk {
  Size,
  ExtName,
  ExtValueStart,
  ExtValue,
  ExtQuoted,
  ExtEscape,
  ExtAfterQuoted,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Done,
}

/** A body that cannot be delimited: the connection it came on cannot be trusted any more. */
export class BodyError extends Error {}

/**
 * Finds where a message body ends in a stream of bytes, without copying them: the bytes are
 * passed on as they arrived (chunked bodies stay chunked), so this only has to follow the framing.
 * `onData`, when given, receives the decoded payload of a chunked body (for HTTP/1.0 clients,
 * which cannot be sent chunks).
 */
export class BodyReader {
  private remaining: number;
  private state = Chunk.Size;
  private size = 0;
  private sizeDigits = 0;
  private seenDigit = false;
  /** Right after a `;`: no extension name yet. */
  private extEmpty = false;
  private line = '';
  done: boolean;

  constructor(
    private readonly framing: Framing,
    private readonly onData?: (buf: Buffer, start: number, end: number) => void,
  ) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.done = framing.kind === 'none';
  }

  /**
   * Consumes body bytes from `buf[start..]` and returns how many belong to the body; fewer than
   * offered means the body ended there (`done`). A close-delimited body takes everything.
   */
  consume(buf: Buffer, start: number): number {
    if (this.done) return 0;
    const avail = buf.length - start;
    switch (this.framing.kind) {
      case 'length': {
        const n = avail < this.remaining ? avail : this.remaining;
        this.remaining -= n;
        if (this.remaining === 0) this.done = true;
        return n;
      }
      case 'chunked':
        return this.chunked(buf, start) - start;
      case 'close':
        return avail;
      default:
        return 0;
    }
  }

  /** A close-delimited body ends when the connection does. */
  endOfStream(): void {
    if (this.framing.kind === 'close') this.done = true;
  }

  /** In an extension name or value: `;` starts the next extension, CR ends the size line. */
  private extEnd(c: number, more: boolean): void {
    if (c === 0x3b) {
      this.state = Chunk.ExtName;
      this.extEmpty = true;
    } else if (c === 0x0d) this.state = Chunk.SizeLf;
    else if (!more) throw new BodyError('invalid byte in a chunk extension');
  }

  private chunked(buf: Buffer, start: number): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      const c = buf[i] ?? 0;
      switch (this.state) {
        case Chunk.Size: {
          const d = hexDigit(c);
          if (d >= 0) {
            // Leading zeros are no size (llhttp takes any number of them).
            if (this.size > 0 || d > 0)
              if (++this.sizeDigits > 12) throw new BodyError('chunk size too large');
            this.size = this.size * 16 + d;
            this.seenDigit = true;
          } else if (!this.seenDigit) throw new BodyError('malformed chunk size');
          else if (c === 0x0d) this.state = Chunk.SizeLf;
          // llhttp: only `;` may follow the size (no space, no other byte).
          else if (c === 0x3b) {
            this.state = Chunk.ExtName;
            this.extEmpty = true;
          } else throw new BodyError('malformed chunk size');
          i++;
          break;
        }
        // Chunk extensions, as llhttp reads them: `;name`, `;name=token` or `;name="quoted"`.
        case Chunk.ExtName:
          if (c === 0x3d) this.state = Chunk.ExtValueStart;
          // llhttp: a `;` just before the line end is refused (`5;`); `5;;a` is read.
          else if (this.extEmpty && c === 0x0d) throw new BodyError('empty chunk extension');
          else {
            this.extEmpty = false;
            this.extEnd(c, isTokenChar(c));
          }
          i++;
          break;
        case Chunk.ExtValueStart:
          if (c === 0x22) this.state = Chunk.ExtQuoted;
          else {
            this.state = Chunk.ExtValue;
            this.extEnd(c, isTokenChar(c));
          }
          i++;
          break;
        case Chunk.ExtValue:
          // llhttp: a quote inside a token value starts a quoted part.
          if (c === 0x22) this.state = Chunk.ExtQuoted;
          else this.extEnd(c, isTokenChar(c));
          i++;
          break;
        case Chunk.ExtQuoted:
          if (c === 0x22) this.state = Chunk.ExtAfterQuoted;
          else if (c === 0x5c) this.state = Chunk.ExtEscape;
          else if (!qdtext(c)) throw new BodyError('invalid byte in a quoted chunk extension');
          i++;
          break;
        case Chunk.ExtEscape:
          if (!qdtext(c) && c !== 0x22 && c !== 0x5c)
            throw new BodyError('invalid escape in a chunk extension');
          this.state = Chunk.ExtQuoted;
          i++;
          break;
        case Chunk.ExtAfterQuoted:
          this.extEnd(c, false);
          i++;
          break;
        case Chunk.SizeLf:
          if (c !== 0x0a) throw new BodyError('expected LF after chunk size');
          i++;
          this.sizeDigits = 0;
          this.seenDigit = false;
          if (this.size === 0) {
            this.state = Chunk.TrailerStart;
          } else {
            this.remaining = this.size;
            this.state = Chunk.Data;
          }
          this.size = 0;
          break;
        case Chunk.Data: {
          const take = Math.min(this.remaining, n - i);
          if (this.onData !== undefined) this.onData(buf, i, i + take);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (c !== 0x0d) throw new BodyError('expected CRLF after chunk data');
          this.state = Chunk.DataLf;
          i++;
          break;
        case Chunk.DataLf:
          if (c !== 0x0a) throw new BodyError('expected CRLF after chunk data');
          this.state = Chunk.Size;
          i++;
          break;
        case Chunk.TrailerStart:
          // Either the final CRLF, or a trailer field line.
          if (c === 0x0d) this.state = Chunk.FinalLf;
          else if (c === 0x0a) throw new BodyError('bare LF in the chunked trailer');
          else {
            this.state = Chunk.TrailerLine;
            this.line = String.fromCharCode(c);
          }
          i++;
          break;
        case Chunk.TrailerLine:
          if (c === 0x0d) {
            this.state = Chunk.TrailerLf;
            // Trailer fields follow the header rules (llhttp parses them as headers).
            try {
              fieldLine(this.line, 'a chunked trailer');
            } catch (e) {
              throw new BodyError(e instanceof Error ? e.message : 'malformed trailer');
            }
          } else if (c === 0x0a) throw new BodyError('bare LF in a trailer line');
          else if (this.line.length >= 16_384) throw new BodyError('trailer line too long');
          else this.line += String.fromCharCode(c);
          i++;
          break;
        case Chunk.TrailerLf:
          if (c !== 0x0a) throw new BodyError('expected LF after trailer line');
          this.state = Chunk.TrailerStart;
          i++;
          break;
        case Chunk.FinalLf:
          if (c !== 0x0a) throw new BodyError('expected LF ending the chunked body');
          this.state = Chunk.Done;
          this.done = true;
          return i + 1;
        default:
          return i;
      }
    }
    return i;
  }
}

function qdtext(c: number): boolean {
  return (
    c === 0x09 ||
    c === 0x20 ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e) ||
    c >= 0x80
  );
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
