import { describe, expect, it } from 'vitest';
import {
  FrameDemuxer,
  LineSplitter,
  LogDecoder,
  splitTimestamp,
  timestampLength,
} from '../../src/core/log-frames.js';

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

  it('visits frames as ranges of the chunk, in order, across chunk boundaries', () => {
    const d = new FrameDemuxer();
    const bytes = Buffer.concat([frame(1, 'a\n'), frame(2, 'bb\n'), frame(1, 'ccc\n')]);
    const seen: [string, string][] = [];
    const visit = (stream: string, buf: Buffer, start: number, end: number) =>
      seen.push([stream, buf.toString('utf8', start, end)]);
    d.each(bytes.subarray(0, 13), visit); // the first frame and half of the second's header
    expect(seen).toEqual([['stdout', 'a\n']]);
    d.each(bytes.subarray(13), visit);
    expect(seen).toEqual([
      ['stdout', 'a\n'],
      ['stderr', 'bb\n'],
      ['stdout', 'ccc\n'],
    ]);
    expect(d.leftover).toBe(0);
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

/**
 * What the decoder must give, computed the slow and obvious way: each stream's payloads joined
 * and decoded whole, split on newlines, then the timestamp split off each line.
 */
function reference(frames: [1 | 2, Buffer][], timestamps: boolean) {
  const streams = { 1: [] as Buffer[], 2: [] as Buffer[] };
  for (const [s, b] of frames) streams[s].push(b);
  const lines: { stream: string; ts: string; line: string }[] = [];
  for (const s of [1, 2] as const) {
    const text = Buffer.concat(streams[s]).toString('utf8');
    const parts = text.split('\n');
    parts.pop(); // after the last newline: '' or the unterminated last line, added below
    const last = text.slice(text.lastIndexOf('\n') + 1);
    if (last !== '') parts.push(last);
    for (const raw of parts) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const { ts, line: rest } = timestamps ? splitTimestamp(line) : { ts: '', line };
      lines.push({ stream: s === 1 ? 'stdout' : 'stderr', ts, line: rest });
    }
  }
  return lines;
}

describe('LogDecoder against a reference', () => {
  // Frames as the engine sends them (one line each, with a timestamp) mixed with the awkward
  // cases: several lines in one frame, a line spread over frames (a long line's partial
  // messages), CRLF, a UTF-8 character cut between frames, an empty frame, no final newline.
  const check = Buffer.from('✓', 'utf8');
  const frames: [1 | 2, Buffer][] = [
    [1, Buffer.from('2024-05-01T10:00:00.123456789Z first\n')],
    [2, Buffer.from('2024-05-01T10:00:00.2Z err one\r\n')],
    [1, Buffer.from('2024-05-01T10:00:01Z two\n2024-05-01T10:00:02Z three\n')],
    [1, Buffer.from('2024-05-01T10:00:03Z long ')],
    [2, Buffer.from('2024-05-01T10:00:03.5+02:00 interleaved\n')],
    [1, Buffer.from('line continues\n')],
    [1, Buffer.concat([Buffer.from('2024-05-01T10:00:04Z cut '), check.subarray(0, 1)])],
    [1, Buffer.concat([check.subarray(1), Buffer.from(' here\n')])],
    [2, Buffer.alloc(0)],
    [1, Buffer.from('no timestamp at all\n')],
    [1, Buffer.from('2024-05-01T10:00:05Z\n')],
    [2, Buffer.from('2024-05-01T10:00:06Z last without newline')],
  ];
  const bytes = Buffer.concat(frames.map(([s, b]) => frame(s, b)));

  for (const timestamps of [false, true]) {
    it(`gives the reference lines however the bytes are cut (timestamps: ${timestamps})`, () => {
      const want = reference(frames, timestamps);
      const byStream = (lines: { stream: string }[], s: string) => lines.filter((l) => l.stream === s);
      const cuts = [[], [1], [7], [8], [9], [50], [bytes.length - 1]];
      for (let i = 1; i < bytes.length; i += 3) cuts.push([i, Math.min(bytes.length - 1, i + 5)]);
      cuts.push(Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
      for (const c of cuts) {
        const got = feed(new LogDecoder({ tty: false, timestamps }), bytes, c);
        // Per stream the order is the byte order; between streams, frame order decides.
        for (const s of ['stdout', 'stderr']) expect(byStream(got, s)).toEqual(byStream(want, s));
        expect(got).toHaveLength(want.length);
      }
    });
  }

  it('hands out lines in batches per chunk, never an empty one from push', () => {
    const d = new LogDecoder({ tty: false, timestamps: true });
    expect(d.push(bytes.subarray(0, 5))).toEqual([]);
    const batch = d.push(bytes.subarray(5));
    expect(batch.length).toBeGreaterThan(5);
    expect(batch[0]).toEqual({ stream: 'stdout', ts: '2024-05-01T10:00:00.123456789Z', line: 'first' });
    expect(d.end()).toEqual([{ stream: 'stderr', ts: '2024-05-01T10:00:06Z', line: 'last without newline' }]);
  });
});

describe('timestampLength', () => {
  it('measures the timestamp and its space at an offset, within the given end', () => {
    const text = 'xx2024-05-01T10:00:00.5Z hello';
    expect(timestampLength(text, 2)).toBe('2024-05-01T10:00:00.5Z'.length);
    expect(timestampLength(text, 2, 25)).toBe(22); // the space is the last character in range
    expect(timestampLength(text, 2, 24)).toBe(0); // the space is outside the range
    expect(timestampLength(text, 0)).toBe(0);
    expect(timestampLength('2024-05-01T10:00:00-07:30 x')).toBe(25);
  });

  it('refuses what is not the engine timestamp form', () => {
    for (const bad of [
      '2024-05-01T10:00:00 x', // no zone
      '2024-05-01 10:00:00Z x', // space instead of T
      '2024-05-01T10:00:00.Z x', // empty fraction
      '2024-05-01T10:00:00+0200 x', // zone without colon
      '2024-05-01T10:00:00Zx', // no space after it
      '24-05-01T10:00:00Z x',
      '',
    ])
      expect(timestampLength(bad)).toBe(0);
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
