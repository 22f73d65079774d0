import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer } from '../../src/adapters/control/server.js';
import { ControlClient } from '../../src/adapters/control/client.js';
import { EventBus } from '../../src/core/events/bus.js';
import { FakeClock } from '../fakes/index.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

async function subscribed(bus: EventBus): Promise<void> {
  while (bus.listenerCount === 0) await new Promise((r) => setTimeout(r, 5));
}

describe('control API GET /events', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function setup(): Promise<{
    bus: EventBus;
    clock: FakeClock;
    server: ControlServer;
    client: ControlClient;
  }> {
    const dir = mkdtempSync(join(tmpdir(), 'orch-control-'));
    dirs.push(dir);
    const clock = new FakeClock(T0);
    const bus = new EventBus(clock);
    const server = new ControlServer(join(dir, 's.sock'), bus, {});
    await server.listen();
    return { bus, clock, server, client: new ControlClient(join(dir, 's.sock')) };
  }

  /** Follows the stream until `n` events arrived. */
  function follow(client: ControlClient, n: number, sinceMs?: number) {
    const got: unknown[] = [];
    const ac = new AbortController();
    const done = new Promise<unknown[]>((resolve, reject) => {
      client
        .events(
          (e) => {
            got.push(e);
            if (got.length === n) {
              ac.abort();
              resolve(got);
            }
          },
          ac.signal,
          sinceMs,
        )
        .then(() => resolve(got), reject);
    });
    return { done };
  }

  it('replays the kept events since a time, then streams new ones, as JSON lines', async () => {
    const { bus, clock, server, client } = await setup();
    bus.publish({ type: 'started', service: 'api', replica: 1, container: 'p-api-1' });
    await clock.advance(5000);
    bus.publish({ type: 'died', service: 'api', replica: 1, exitCode: 137 });
    const f = follow(client, 2, T0 + 1000);
    // The replayed event arrives first; then a live one.
    await subscribed(bus);
    bus.publish({
      type: 'restarting',
      service: 'api',
      replica: 1,
      afterMs: 250,
      reason: 'exited with code 137',
    });
    expect(await f.done).toEqual([
      { time: '2026-01-02T03:04:10.000Z', type: 'died', service: 'api', replica: 1, exitCode: 137 },
      {
        time: '2026-01-02T03:04:10.000Z',
        type: 'restarting',
        service: 'api',
        replica: 1,
        afterMs: 250,
        reason: 'exited with code 137',
      },
    ]);
    await server.close();
  });

  it('without since, only new events; the stream ends when the server closes', async () => {
    const { bus, server, client } = await setup();
    bus.publish({ type: 'healthy', service: 'db', replica: 1 });
    const f = follow(client, 10);
    await subscribed(bus);
    bus.publish({ type: 'scaled', service: 'api', from: 1, to: 2 });
    await server.close();
    expect(await f.done).toEqual([
      { time: '2026-01-02T03:04:05.000Z', type: 'scaled', service: 'api', from: 1, to: 2 },
    ]);
  });
});
