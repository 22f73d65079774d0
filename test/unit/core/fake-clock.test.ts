import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../fakes/index.js';

describe('FakeClock', () => {
  it('fires sleeps in time order, FIFO at equal times, including sleeps scheduled while advancing', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    void clock.sleep(30).then(() => log.push(`b@${clock.now()}`));
    void clock.sleep(10).then(async () => {
      log.push(`a@${clock.now()}`);
      await clock.sleep(10);
      log.push(`a2@${clock.now()}`);
    });
    void clock.sleep(30).then(() => log.push(`c@${clock.now()}`));
    await clock.advance(25);
    expect(log).toEqual(['a@10', 'a2@20']);
    expect(clock.now()).toBe(25);
    await clock.runUntilIdle();
    expect(log).toEqual(['a@10', 'a2@20', 'b@30', 'c@30']);
  });

  it('rejects an aborted sleep with the AbortError and forgets its timer', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const p = clock.sleep(100, ctl.signal);
    expect(clock.pendingTimers).toBe(1);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pendingTimers).toBe(0);
    await expect(clock.sleep(1, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('runUntilIdle refuses to spin forever', async () => {
    const clock = new FakeClock();
    const loop = async (): Promise<void> => {
      for (;;) await clock.sleep(1000);
    };
    void loop();
    await expect(clock.runUntilIdle(10_000)).rejects.toThrow(/still busy/);
  });
});
