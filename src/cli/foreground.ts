import type { ChalkInstance } from 'chalk';
import type { Project } from '../model/project.js';
import { killAll } from '../core/runtime/runtimes.js';
import { allReplicas } from '../core/runtime/all-replicas.js';
import type { EngineDeps, UpResult } from '../core/engine/up.js';
import { downProject } from '../core/engine/down.js';
import { setMaxListeners } from 'node:events';
import { followLogs } from '../core/logs/session.js';
import { trackedReader, trackerStarts } from '../core/logs/starts.js';
import { accessRecord } from '../core/logs/access.js';
import { createRecorder } from '../core/logs/recorder.js';
import { LineFormatter, LineWriter } from '../ui/log-view.js';
import { projectLogStore } from './log-recording.js';
import { runStack, type StackOptions } from './composition.js';
import { narrateEvent } from '../ui/event-view.js';
import type { Interrupt } from './interrupt.js';
import { success } from '../ui/lines.js';

export interface ForegroundIo {
  readonly out: (text: string) => void;
  readonly say: (text: string) => void;
  readonly style: ChalkInstance;
  readonly errStyle: ChalkInstance;
}

/**
 * Foreground `up`: supervise, serve the gateway and show every replica's output (new and
 * restarted ones too) with the gateway's access lines as one time-ordered stream, recorded in
 * the project's log store, until Ctrl-C; then take the project down.
 */
export async function runForeground(
  project: Project,
  result: UpResult,
  deps: EngineDeps,
  interrupt: Interrupt,
  gatewayOpts: Pick<StackOptions, 'noGateway' | 'gatewayPort' | 'watch' | 'reload' | 'dashboard'>,
  io: ForegroundIo,
): Promise<void> {
  setMaxListeners(0, interrupt.signal);
  const replicas = result.tracker.all().map((r) => ({ service: r.service, replica: r.replica }));
  const withGateway = project.orch.gateway !== undefined && !gatewayOpts.noGateway;
  const formatter = new LineFormatter({
    style: io.style,
    timestamps: false,
    replicas: withGateway ? [...replicas, { service: 'gateway', replica: 1 }] : replicas,
  });
  const writer = new LineWriter(process.stdout);
  const store = projectLogStore(project);
  const onStoreError = (e: unknown): void => io.say(`orch: log store: ${String(e)}`);
  const gatewayLines = createRecorder(store, deps.clock, {
    flushMs: 500,
    maxBatch: 2000,
    onError: onStoreError,
  });
  const host = await runStack(result, deps, {
    ...gatewayOpts,
    listeners: [
      (e) => {
        const text = narrateEvent(e, io.errStyle);
        if (text !== undefined) io.say(text);
      },
    ],
    onAccess: (e) => {
      const r = accessRecord(e);
      gatewayLines.add(r);
      writer.push(formatter.format(r));
    },
  });
  if (host.gateway)
    io.say(success(io.errStyle, `gateway: http://${host.gateway.host}:${host.gateway.port}/`));
  if (host.dashboard) io.say(success(io.errStyle, `dashboard: ${host.dashboard}`));
  const logs = followLogs(
    {
      replicas: trackedReader(result.tracker, allReplicas(deps.runtimes)),
      clock: deps.clock,
      store,
      onStoreError,
    },
    { project: project.name },
    {
      signal: interrupt.signal,
      // The stack's tracker already follows the engine (and reconnects): no second stream.
      starts: trackerStarts(result.tracker),
      onHistoric: (records) => writer.writeAll(records, (r) => formatter.format(r)),
      onLive: (records) => {
        for (const r of records) writer.push(formatter.format(r));
      },
    },
  ).catch((e: unknown) => io.say(`orch: log stream: ${String(e)}`));
  await new Promise<void>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  await host.close();
  await tearDownOnInterrupt(project, deps, interrupt, io.say);
  await logs;
  await gatewayLines.close();
  await writer.drainOut();
}

/** Ctrl-C: stop and remove the project's containers; a second Ctrl-C kills them at once. */
export async function tearDownOnInterrupt(
  project: Project,
  deps: EngineDeps,
  interrupt: Interrupt,
  say: (text: string) => void,
): Promise<void> {
  say('orch: stopping (Ctrl-C again to kill)…');
  const kill = (): Promise<void> => killAll(deps.runtimes, project.name);
  interrupt.force.addEventListener('abort', () => void kill(), { once: true });
  const result = await downProject(project, { removeVolumes: false, onEvent: () => undefined }, deps);
  say(`orch: removed ${result.containers.length} container(s)`);
}
