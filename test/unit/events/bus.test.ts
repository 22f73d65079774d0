import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events/bus.js';
import type { OrchEvent } from '../../../src/model/events.js';
import { FakeClock } from '../../fakes/index.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

describe('EventBus', () => {
  it("stamps each event with the clock's time (RFC 3339, ms) and leads with time, type, service, replica", () => {
    const clock = new FakeClock(T0 + 7);
    const bus = new EventBus(clock);
    const e = bus.publish({ exitCode: 137, type: 'died', replica: 2, service: 'api' } as never);
    expect(e).toEqual({
      time: '2026-01-02T03:04:05.007Z',
      type: 'died',
      service: 'api',
      replica: 2,
      exitCode: 137,
    });
    expect(Object.keys(e)).toEqual(['time', 'type', 'service', 'replica', 'exitCode']);
    expect(JSON.stringify(e)).toBe(
      '{"time":"2026-01-02T03:04:05.007Z","type":"died","service":"api","replica":2,"exitCode":137}',
    );
  });

  it('hands every event to every listener in publish order, until it unsubscribes', () => {
    const bus = new EventBus(new FakeClock(T0));
    const a: string[] = [];
    const b: string[] = [];
    const offA = bus.subscribe((e) => a.push(e.type));
    bus.subscribe((e) => b.push(e.type));
    bus.publish({ type: 'started', service: 'db', replica: 1, container: 'p-db-1' });
    bus.publish({ type: 'healthy', service: 'db', replica: 1 });
    offA();
    bus.publish({ type: 'died', service: 'db', replica: 1, exitCode: 1 });
    expect(a).toEqual(['started', 'healthy']);
    expect(b).toEqual(['started', 'healthy', 'died']);
  });

  it('keeps delivering to the other listeners when one throws', () => {
    const bus = new EventBus(new FakeClock(T0));
    const got: OrchEvent[] = [];
    bus.subscribe(() => {
      throw new Error('closed pipe');
    });
    bus.subscribe((e) => got.push(e));
    bus.publish({ type: 'scaled', service: 'api', from: 1, to: 3 });
    expect(got).toHaveLength(1);
  });

  it('replays the kept history, all of it or since a time, and forgets the oldest past its capacity', async () => {
    const clock = new FakeClock(T0);
    const bus = new EventBus(clock, 3);
    for (let i = 1; i <= 4; i++) {
      bus.publish({
        type: 'restarted',
        service: 'api',
        replica: 1,
        restarts: i,
        reason: 'exited with code 1',
      });
      await clock.advance(1000);
    }
    const counts = (es: OrchEvent[]): number[] => es.map((e) => (e.type === 'restarted' ? e.restarts : -1));
    expect(counts(bus.history())).toEqual([2, 3, 4]);
    expect(counts(bus.history(T0 + 2000))).toEqual([3, 4]);
    expect(counts(bus.history(T0 + 5000))).toEqual([]);
  });

  it('keeps nothing with capacity 0 and refuses a negative one', () => {
    const bus = new EventBus(new FakeClock(T0), 0);
    bus.publish({ type: 'healthy', service: 'db', replica: 1 });
    expect(bus.history()).toEqual([]);
    expect(() => new EventBus(new FakeClock(T0), -1)).toThrow(RangeError);
  });
});

describe('EventBus.seed', () => {
  it('keeps an earlier run’s events as history (by their own time), tells no listener, and caps them', async () => {
    const clock = new FakeClock(T0 + 60_000);
    const bus = new EventBus(clock, 2);
    const told: string[] = [];
    bus.subscribe((e) => told.push(e.type));
    const old = (s: number, type: 'healthy' | 'started'): OrchEvent =>
      ({ time: new Date(T0 + s * 1000).toISOString(), type, service: 'db', replica: 1 }) as OrchEvent;
    bus.seed([old(1, 'started'), old(2, 'started'), old(3, 'healthy')]);
    expect(told).toEqual([]);
    expect(bus.history().map((e) => e.time)).toEqual([
      '2026-01-02T03:04:07.000Z',
      '2026-01-02T03:04:08.000Z',
    ]);
    expect(bus.history(T0 + 2500).map((e) => e.type)).toEqual(['healthy']);
    bus.publish({ type: 'died', service: 'db', replica: 1, exitCode: 1 });
    expect(bus.history().map((e) => e.type)).toEqual(['healthy', 'died']);
    expect(() => bus.seed([])).toThrow(/before the first publish/);
  });
});
