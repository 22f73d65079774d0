import { describe, expect, it } from 'vitest';
import { captureProject, listSources, type ReplicaStart } from '../../../src/core/logs/capture.js';
import { runtimeStarts } from '../../../src/core/logs/starts.js';
import { followLogs, readLogs } from '../../../src/core/logs/session.js';
import { LogStore, type LogStorePort } from '../../../src/core/logs/store.js';
import { normalizeTs, type LogRecord, type SourcedRecord } from '../../../src/core/logs/types.js';
import { FakeClock } from '../../fakes/index.js';
import { FakeEngine, tick, ts } from './fake-engine.js';

function memPort(): LogStorePort {
  const files = new Map<string, string>();
  return {
    size: (n) => Promise.resolve((files.get(n) ?? '').length),
    append: (n, d) => Promise.resolve(void files.set(n, (files.get(n) ?? '') + d)),
    read: (n) => Promise.resolve(files.get(n)),
    write: (n, d) => Promise.resolve(void files.set(n, d)),
    rename: (a, b) =>
      Promise.resolve(void (files.has(a) && (files.set(b, files.get(a) ?? ''), files.delete(a)))),
    remove: (n) => Promise.resolve(void files.delete(n)),
  };
}

describe('captureProject', () => {
  it('follows every replica, exited ones included, and picks up a container that starts later', async () => {
    const engine = new FakeEngine('p').add('a1', 'a').add('x1', 'x', 1, false);
    engine.print('a1', ts(1), 'a one');
    engine.print('x1', ts(2), 'x done');
    const got: SourcedRecord[] = [];
    const ctl = new AbortController();
    const run = captureProject(engine, {
      project: 'p',
      signal: ctl.signal,
      starts: runtimeStarts(engine, 'p', new FakeClock()),
      onRecord: (r) => got.push(r),
    });
    await tick();
    engine.add('b1', 'b', 1, false);
    engine.print('b1', ts(3000), 'b first');
    engine.start('b1', Date.UTC(2024, 0, 1) + 3000);
    await tick();
    engine.print('b1', ts(3100), 'b second');
    engine.print('a1', ts(3200), 'a two');
    await tick();
    ctl.abort();
    await run;
    expect(got.map((r) => `${r.service}-${r.replica}:${r.line}`).sort()).toEqual(
      ['a-1:a one', 'a-1:a two', 'b-1:b first', 'b-1:b second', 'x-1:x done'].sort(),
    );
    expect(got[0]?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('re-attaches to a restarted container without repeating lines', async () => {
    const engine = new FakeEngine('p').add('a1', 'a');
    engine.print('a1', ts(100), 'before');
    const got: string[] = [];
    const ctl = new AbortController();
    const run = captureProject(engine, {
      project: 'p',
      signal: ctl.signal,
      starts: runtimeStarts(engine, 'p', new FakeClock()),
      onRecord: (r) => got.push(r.line),
    });
    await tick();
    engine.print('a1', ts(200), 'last words');
    engine.stop('a1');
    await tick();
    engine.start('a1', Date.UTC(2024, 0, 1) + 1500);
    engine.print('a1', ts(1600), 'after restart');
    await tick();
    await tick();
    ctl.abort();
    await run;
    expect(got).toEqual(['before', 'last words', 'after restart']);
  });

  it('attaches on a start it is told of, from its last line: what the restart printed before the attach is kept, nothing is repeated', async () => {
    const engine = new FakeEngine('p').add('a1', 'a');
    engine.print('a1', ts(100), 'before');
    let tell: (s: ReplicaStart) => void = () => undefined;
    const got: string[] = [];
    const ctl = new AbortController();
    const run = captureProject(engine, {
      project: 'p',
      signal: ctl.signal,
      starts: (onStart) => {
        tell = onStart;
        return () => (tell = () => undefined);
      },
      onRecord: (r) => got.push(r.line),
    });
    await tick();
    engine.print('a1', ts(200), 'last words');
    engine.stop('a1');
    await tick();
    // Running again, and printing, before anyone tells capture (no event of the engine's own).
    engine.start('a1', Date.UTC(2024, 0, 1) + 1500, { event: false });
    engine.print('a1', ts(1600), 'first after restart');
    await tick();
    expect(got).toEqual(['before', 'last words']);
    const start = { id: 'a1', labels: { 'dev.orch.project': 'p', 'dev.orch.service': 'a' } };
    // Told twice (as the tracker may): the second finds it attached.
    tell(start);
    tell(start);
    await tick();
    engine.print('a1', ts(1700), 'later');
    await tick();
    expect(got).toEqual(['before', 'last words', 'first after restart', 'later']);
    // Each attach after the first read from the second of the last line it had.
    expect(engine.logCalls.map((c) => c.sinceS ?? 'all')).toEqual(['all', Date.UTC(2024, 0, 1) / 1000]);
    ctl.abort();
    await run;
  });

  it("the runtimes' starts reconnect after the engine went away and report what started meanwhile", async () => {
    const engine = new FakeEngine('p').add('a1', 'a');
    engine.print('a1', ts(100), 'before');
    const clock = new FakeClock(Date.UTC(2024, 0, 1) + 200);
    const got: string[] = [];
    const ctl = new AbortController();
    const run = captureProject(engine, {
      project: 'p',
      signal: ctl.signal,
      starts: runtimeStarts(engine, 'p', clock),
      onRecord: (r) => got.push(r.line),
    });
    await clock.flush();
    // The engine restarts: the event stream breaks, and the container stopped with it.
    engine.stop('a1');
    engine.breakEvents();
    await clock.flush();
    // Back, and the container with it, before a new stream subscribed: its start is no event.
    engine.start('a1', Date.UTC(2024, 0, 1) + 1000, { event: false });
    engine.print('a1', ts(1100), 'after restart');
    await clock.advance(250);
    expect(got).toEqual(['before']);
    // The new stream had time to subscribe: the re-read finds it running.
    await clock.advance(500);
    await tick();
    expect(got).toEqual(['before', 'after restart']);
    // Then new starts come as events again.
    engine.stop('a1');
    await tick();
    engine.start('a1', Date.UTC(2024, 0, 1) + 2000);
    engine.print('a1', ts(2100), 'second restart');
    await tick();
    await tick();
    expect(got).toEqual(['before', 'after restart', 'second restart']);
    ctl.abort();
    await run;
  });

  it('keeps only the selected services', async () => {
    const engine = new FakeEngine('p').add('a1', 'a').add('b1', 'b');
    expect((await listSources(engine, { project: 'p', services: ['b'] })).map((s) => s.service)).toEqual([
      'b',
    ]);
  });
});

describe('readLogs / followLogs', () => {
  it('merges historic lines of all replicas in ts order and stores them once', async () => {
    const engine = new FakeEngine('p').add('a1', 'a').add('b1', 'b').add('b2', 'b', 2);
    for (let i = 0; i < 5; i++) {
      engine.print('a1', ts(i * 100), `a${i}`);
      engine.print('b1', ts(i * 100 + 50), `b${i}`);
      engine.print('b2', ts(i * 100 + 50), `c${i}`);
    }
    const store = new LogStore(memPort());
    const deps = { replicas: engine, clock: new FakeClock(), store };
    const r = await readLogs(deps, { project: 'p' });
    expect(r.records.map((x) => x.line).slice(0, 6)).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'c1']);
    await readLogs(deps, { project: 'p' });
    expect(await store.readAll()).toHaveLength(15);

    const tail = await readLogs(deps, { project: 'p', tail: 1 });
    expect(tail.records.map((x) => x.line)).toEqual(['a4', 'b4', 'c4']);
    const grep = await readLogs(deps, { project: 'p', grep: /^b/, tail: 2 });
    expect(grep.records.map((x) => x.line)).toEqual(['b3', 'b4']);
  });

  it("reads a log in batches of any size, puts a replica's out-of-order lines in ts order, and re-reads it storing nothing new", async () => {
    const engine = new FakeEngine('p').add('a1', 'a').add('b1', 'b');
    // stdout and stderr are stamped by separate copiers in the engine: a replica's log can hold a
    // line stamped a little earlier than the one before it.
    const order = [0, 10, 30, 20, 40, 50, 50, 60];
    order.forEach((ms, i) => engine.print('a1', ts(ms), `a${i}`, i % 2 === 0 ? 'stdout' : 'stderr'));
    for (let i = 0; i < 4; i++) engine.print('b1', ts(i * 20 + 5), `b${i}`);
    const mem = memPort();
    const store = new LogStore(mem);
    const deps = { replicas: engine, clock: new FakeClock(), store };
    for (const size of [1, 3, 100]) {
      engine.batchSize = size;
      const r = await readLogs(deps, { project: 'p' });
      await r.stored;
      expect(r.records.map((x) => x.line)).toEqual([
        'a0', // 0
        'b0', // 5
        'a1', // 10
        'a3', // 20, printed before a2
        'b1', // 25
        'a2', // 30
        'a4', // 40
        'b2', // 45
        'a5', // 50
        'a6', // 50 as well: arrival order
        'a7', // 60
        'b3', // 65
      ]);
      // Where a follow resumes: the latest ts read, not the last line's.
      expect(r.lastTs.get('a1')).toBe(normalizeTs(ts(60)));
    }
    // Stored once, in ts order per container, the out-of-order line included (a6 shares a5's ts:
    // the store takes that for the same line, see LogStore).
    const stored = await store.readAll();
    expect(stored.filter((x) => x.service === 'a').map((x) => x.line)).toEqual([
      'a0',
      'a1',
      'a3',
      'a2',
      'a4',
      'a5',
      'a7',
    ]);
    expect(stored).toHaveLength(11);
    // New lines after a re-read are stored, and only they.
    engine.print('a1', ts(70), 'a8');
    await (
      await readLogs(deps, { project: 'p' })
    ).stored;
    expect((await store.readAll()).map((x) => x.line).slice(-1)).toEqual(['a8']);
    expect(await store.readAll()).toHaveLength(12);
  });

  it('--trace finds lines in the engine and in the store (containers since removed), deduped', async () => {
    const store = new LogStore(memPort());
    const old = new FakeEngine('p').add('gone', 'api');
    old.print('gone', ts(10), 'request_id=abc123 from a removed replica');
    old.print('gone', ts(20), 'unrelated');
    await readLogs({ replicas: old, clock: new FakeClock(), store }, { project: 'p' });

    const engine = new FakeEngine('p').add('a1', 'api').add('w1', 'worker');
    engine.print('a1', ts(30), 'GET / request_id=abc123');
    engine.print('w1', ts(40), '{"requestId":"abc123","msg":"job"}');
    engine.print('w1', ts(50), 'request_id=abc1234 is another one');
    const deps = { replicas: engine, clock: new FakeClock(), store };
    const first = await readLogs(deps, { project: 'p', traceId: 'abc123' });
    const again = await readLogs(deps, { project: 'p', traceId: 'abc123' });
    for (const r of [first, again])
      expect(r.records.map((x: LogRecord) => `${x.service}:${x.line}`)).toEqual([
        'api:request_id=abc123 from a removed replica',
        'api:GET / request_id=abc123',
        'worker:{"requestId":"abc123","msg":"job"}',
      ]);
  });

  it('follow: the engine goes away right after the historic part; once it is back, lines go on from there, none repeated', async () => {
    const engine = new FakeEngine('p').add('a1', 'a');
    engine.print('a1', ts(100), 'before');
    // The historic read lists (1st); the live part's own listing (2nd) finds the engine gone.
    engine.failingLists.add(2);
    const clock = new FakeClock(Date.UTC(2024, 0, 1) + 200);
    const historic: string[] = [];
    const live: string[] = [];
    const ctl = new AbortController();
    const run = followLogs(
      { replicas: engine, clock },
      { project: 'p' },
      {
        signal: ctl.signal,
        onHistoric: (rs) => void historic.push(...rs.map((r) => r.line)),
        onLive: (rs) => void live.push(...rs.map((r) => r.line)),
      },
    );
    await clock.flush();
    engine.stop('a1');
    engine.breakEvents();
    engine.start('a1', Date.UTC(2024, 0, 1) + 1000, { event: false });
    engine.print('a1', ts(1100), 'after restart');
    await clock.advance(1000);
    await tick();
    await clock.advance(500);
    expect(historic).toEqual(['before']);
    expect(live).toEqual(['after restart']);
    ctl.abort();
    await run;
  });

  it('follow: historic part sorted, then live lines through the window, resuming after the historic part', async () => {
    const engine = new FakeEngine('p').add('a1', 'a').add('b1', 'b');
    engine.print('a1', ts(0), 'a0');
    engine.print('b1', ts(10), 'b0');
    const clock = new FakeClock(Date.UTC(2024, 0, 1) + 1000);
    const historic: string[] = [];
    const live: string[] = [];
    const ctl = new AbortController();
    const run = followLogs(
      { replicas: engine, clock },
      { project: 'p' },
      {
        signal: ctl.signal,
        onHistoric: (rs) => void historic.push(...rs.map((r) => r.line)),
        onLive: (rs) => void live.push(...rs.map((r) => r.line)),
      },
    );
    await clock.flush();
    engine.print('b1', ts(1020), 'b1');
    await clock.advance(10);
    engine.print('a1', ts(1010), 'a1');
    await clock.advance(200);
    ctl.abort();
    await run;
    expect(historic).toEqual(['a0', 'b0']);
    expect(live).toEqual(['a1', 'b1']);
  });
});
