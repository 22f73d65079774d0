import { describe, expect, it } from 'vitest';
import { FrameDemuxer, LineSplitter, LogDecoder, splitTimestamp } from '../../src/core/log-frames.js';

function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Feeds `bytes` to the decoder cut at every offset in `cuts`. */
function feed(decoder: LogDecoder, bytes: Buffer, cuts: number[]) {
  const out = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...decoder.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  out.push(...decoder.end());
  return out;
}

describe('FrameDemuxer', () => {
  it('reads whole frames from one chunk', () => {
    const d = new FrameDemuxer();
    const frames = d.push(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]));
    expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
    ]);
    expect(d.leftover).toBe(0);
  });

  it('waits when the header itself is split across chunks', () => {
    const d = new FrameDemuxer();
    const bytes = frame(2, 'hello\n');
    expect(d.push(bytes.subarray(0, 3))).toEqual([]);
    expect(d.push(bytes.subarray(3, 7))).toEqual([]);
    const frames = d.push(bytes.subarray(7));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.stream).toBe('stderr');
    expect(frames[0]?.data.toString()).toBe('hello\n');
  });

  it('waits when the payload is split, and handles an empty frame', () => {
    const d = new FrameDemuxer();
    const bytes = Buffer.concat([frame(1, ''), frame(1, 'abcdef')]);
    const first = d.push(bytes.subarray(0, 12));
    expect(first.map((f) => f.data.toString())).toEqual(['']);
    expect(d.leftover).toBe(4);
    expect(d.push(bytes.subarray(12)).map((f) => f.data.toString())).toEqual(['abcdef']);
  });

  it('does not let later chunks change frames already handed out', () => {
    const d = new FrameDemuxer();
    const bytes = Buffer.concat([frame(1, 'one'), frame(1, 'two')]);
    const [first] = d.push(bytes.subarray(0, 14));
    d.push(bytes.subarray(14));
    expect(first?.data.toString()).toBe('one');
  });
});

describe('LineSplitter', () => {
  it('keeps a partial line per stream until its newline arrives', () => {
    const s = new LineSplitter();
    expect(s.push('stdout', Buffer.from('par'))).toEqual([]);
    expect(s.push('stderr', Buffer.from('E1\nE'))).toEqual([{ stream: 'stderr', line: 'E1' }]);
    expect(s.push('stdout', Buffer.from('tial\nnext'))).toEqual([{ stream: 'stdout', line: 'partial' }]);
    expect(s.end()).toEqual([
      { stream: 'stdout', line: 'next' },
      { stream: 'stderr', line: 'E' },
    ]);
  });

  it('joins a UTF-8 character split between chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('héllo ✓\n', 'utf8');
    const cut = bytes.indexOf(0xa9); // inside "é"
    expect(s.push('stdout', bytes.subarray(0, cut))).toEqual([]);
    expect(s.push('stdout', bytes.subarray(cut))).toEqual([{ stream: 'stdout', line: 'héllo ✓' }]);
  });

  it('drops the \\r of CRLF line ends', () => {
    const s = new LineSplitter();
    expect(s.push('stdout', Buffer.from('a\r\nb\r\n'))).toEqual([
      { stream: 'stdout', line: 'a' },
      { stream: 'stdout', line: 'b' },
    ]);
  });
});

describe('LogDecoder', () => {
  const bytes = Buffer.concat([
    frame(1, 'out 1\nout '),
    frame(2, 'err ✓ 1\n'),
    frame(1, '2\n'),
    frame(2, 'no newline at the end'),
  ]);
  const expected = [
    { stream: 'stdout', ts: '', line: 'out 1' },
    { stream: 'stderr', ts: '', line: 'err ✓ 1' },
    { stream: 'stdout', ts: '', line: 'out 2' },
    { stream: 'stderr', ts: '', line: 'no newline at the end' },
  ];

  it('gives the same lines however the bytes are cut', () => {
    expect(feed(new LogDecoder({ tty: false, timestamps: false }), bytes, [])).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(feed(new LogDecoder({ tty: false, timestamps: false }), bytes, [cut])).toEqual(expected);
    }
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(feed(new LogDecoder({ tty: false, timestamps: false }), bytes, everyByte)).toEqual(expected);
  });

  it('reads a TTY stream raw, all as stdout', () => {
    const raw = Buffer.from('one\r\ntwo\r\nthree');
    expect(feed(new LogDecoder({ tty: true, timestamps: false }), raw, [5])).toEqual([
      { stream: 'stdout', ts: '', line: 'one' },
      { stream: 'stdout', ts: '', line: 'two' },
      { stream: 'stdout', ts: '', line: 'three' },
    ]);
  });

  it('splits the timestamp prefix into ts when asked', () => {
    const withTs = Buffer.concat([
      frame(1, '2024-05-01T10:00:00.123456789Z hello world\n'),
      frame(2, '2024-05-01T10:00:01Z oops\n'),
    ]);
    expect(feed(new LogDecoder({ tty: false, timestamps: true }), withTs, [20])).toEqual([
      { stream: 'stdout', ts: '2024-05-01T10:00:00.123456789Z', line: 'hello world' },
      { stream: 'stderr', ts: '2024-05-01T10:00:01Z', line: 'oops' },
    ]);
  });
});

describe('splitTimestamp', () => {
  it('leaves a line without a timestamp alone', () => {
    expect(splitTimestamp('2024 is not a timestamp')).toEqual({ ts: '', line: '2024 is not a timestamp' });
    expect(splitTimestamp('2024-05-01T10:00:00+02:00 x')).toEqual({
      ts: '2024-05-01T10:00:00+02:00',
      line: 'x',
    });
  });
});
