import { describe, expect, it } from 'vitest';
import { captureProject } from '../../../src/core/logs/capture.js';
import { trackedReader, trackerStarts } from '../../../src/core/logs/starts.js';
import { allReplicas } from '../../../src/core/runtime/all-replicas.js';
import { RuntimeSet } from '../../../src/core/runtime/runtimes.js';
import { project, runStack, service } from '../reconciler/harness.js';

/**
 * The supervisor's log recording as `orch up -d` wires it: capture fed by the stack's tracker, on
 * the fake runtime and the virtual clock.
 */
async function recorded() {
  const stack = await runStack(project(service('web')), (rt) =>
    rt.script('web', { logs: ['run one'] }, { logs: ['run two'] }),
  );
  const lines: string[] = [];
  const ctl = new AbortController();
  const done = captureProject(trackedReader(stack.tracker, allReplicas(new RuntimeSet([stack.runtime]))), {
    project: 'test',
    signal: ctl.signal,
    starts: trackerStarts(stack.tracker),
    onRecord: (r) => lines.push(r.line),
  });
  await stack.clock.flush();
  const stop = async () => {
    ctl.abort();
    await done;
    stack.close();
  };
  return { stack, lines, stop, id: stack.tracker.of('web')[0]!.id };
}

describe('log capture in the supervisor', () => {
  it('attaches to a replica the supervisor restarts after the engine came back, repeating nothing', async () => {
    const { stack, lines, stop, id } = await recorded();
    await stack.clock.advance(1000);
    stack.runtime.print(id, 'before the restart');
    await stack.clock.flush();
    expect(lines).toEqual(['run one', 'before the restart']);

    // The engine goes away, and the container with it (no event: the stream broke first).
    stack.runtime.goAway();
    stack.runtime.exit(id, 137, { silent: true });
    await stack.clock.advance(3000);
    stack.runtime.back();
    // The tracker reconnects, re-reads, finds it dead; the supervisor starts it again.
    await stack.clock.advance(10_000);
    expect(stack.eventsOf('restarted').length).toBe(1);
    await stack.clock.advance(1000);
    stack.runtime.print(id, 'after the restart');
    await stack.clock.flush();
    expect(lines).toEqual(['run one', 'before the restart', 'run two', 'after the restart']);
    await stop();
  });

  it('attaches to a replica that crashed and was restarted, and to a new one of a scale-up', async () => {
    const { stack, lines, stop, id } = await recorded();
    await stack.clock.advance(1000);
    stack.runtime.exit(id, 1);
    await stack.clock.advance(10_000);
    expect(stack.eventsOf('restarted').length).toBe(1);
    await stack.reconciler.scale('web', 2);
    await stack.clock.advance(1000);
    const second = stack.tracker.of('web')[1]!.id;
    stack.runtime.print(second, 'from the new one');
    await stack.clock.flush();
    // The new replica's first run is its script's last ("run two" repeats).
    expect([...lines].sort()).toEqual(['from the new one', 'run one', 'run two', 'run two']);
    await stop();
  });
});
