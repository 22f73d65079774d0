import { describe, expect, it } from 'vitest';
import { handoverFrom, handoverOf, runKey } from '../../../src/cli/handover.js';
import type { ReplicaState } from '../../../src/core/engine/replica-tracker.js';
import { ProbeHistory } from '../../../src/core/probes/index.js';
import type { ContainerSnapshot } from '../../../src/core/ports.js';

const snapshot = (id: string, startedAt: string | null): ContainerSnapshot => ({
  id,
  name: `p-${id}-1`,
  image: 'busybox:latest',
  labels: {},
  state: 'running',
  exitCode: null,
  health: 'starting',
  createdAt: '2026-01-01T00:00:00Z',
  startedAt,
  finishedAt: null,
  ports: [],
});

const replica = (id: string, over: Partial<ReplicaState>): ReplicaState => ({
  id,
  runtime: 'container',
  service: id,
  replica: 1,
  name: `p-${id}-1`,
  state: 'running',
  exitCode: null,
  dockerHealth: 'starting',
  probeHistory: new ProbeHistory(),
  snapshot: { ...snapshot(id, '2026-01-01T00:00:01.5Z'), runtime: 'container' },
  ...over,
});

describe("up's handover to the background supervisor", () => {
  it('names each run by container and start time: the same container started again is another run', () => {
    expect(runKey(snapshot('abc', '2026-01-01T00:00:01Z'))).toBe('abc@2026-01-01T00:00:01Z');
    expect(runKey(snapshot('abc', '2026-01-01T00:00:01Z'))).not.toBe(
      runKey(snapshot('abc', '2026-01-01T00:00:09Z')),
    );
  });

  it('hands over only the running replicas whose start check passed in `up`', () => {
    const h = handoverFrom([
      replica('a', { startCheckPassed: true }),
      replica('b', { startCheckPassed: false }),
      replica('c', {}),
      replica('d', { startCheckPassed: true, state: 'exited' }),
    ]);
    expect(h).toEqual({ startChecked: ['a@2026-01-01T00:00:01.5Z'] });
  });

  it('reads the POST /adopt body, and anything malformed as nothing handed over', () => {
    expect(handoverOf({ startChecked: ['a@t', 3, null, 'b@t'] })).toEqual({ startChecked: ['a@t', 'b@t'] });
    for (const body of [undefined, null, {}, 'x', { startChecked: 'a@t' }])
      expect(handoverOf(body)).toEqual({ startChecked: [] });
  });
});
