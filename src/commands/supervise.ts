import { Flags } from '@oclif/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { adoptProject, engineDeps, runStack } from '../cli/composition.js';
import { stateDir, supervisorLog } from '../adapters/control/paths.js';
import { readEventHistory } from '../adapters/event-history-fs.js';
import type { Project } from '../model/project.js';
import { ControlServer } from '../adapters/control/server.js';
import { socketPath } from '../adapters/control/paths.js';
import { accessRecord } from '../core/logs/access.js';
import { recordProjectLogs } from '../cli/log-recording.js';
import { dashboardOption } from '../cli/dashboard.js';
import { handoverOf, type Handover } from '../cli/handover.js';

/**
 * The background supervisor `orch up -d` leaves running: adopts the project's containers by label
 * (recreating none), supervises them, serves the gateway and the control API until `orch down`.
 */
export default class Supervise extends OrchCommand {
  static override hidden = true;
  static override summary = 'Run the background supervisor of a project (started by `orch up -d`).';
  static override flags = {
    'no-gateway': Flags.boolean({ description: 'do not serve the gateway' }),
    'gateway-port': Flags.integer({ description: 'gateway port (overrides x-orch.gateway.port)' }),
    handover: Flags.boolean({
      description:
        'start now, adopt the containers when `up` says so (POST /adopt): the boot overlaps the start-up',
    }),
    watch: Flags.boolean({ description: 'act on develop.watch rules and project-file edits' }),
    'no-dashboard': Flags.boolean({ description: 'do not serve the dashboard' }),
    'dashboard-port': Flags.integer({ description: 'dashboard port (overrides x-orch.dashboard.port)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Supervise);
    const { project } = await loadFromFlags(flags);
    // Waiting for the handover is idle time: the engine client loads meanwhile.
    const deps = engineDeps({
      projectDir: project.projectDir,
      preloadClient: flags.handover,
      ...(flags['no-gateway']
        ? {}
        : { gateway: flags['gateway-port'] !== undefined ? { port: flags['gateway-port'] } : {} }),
    });
    await deps.docker.ping();
    const handover = flags.handover ? await awaitHandover(project) : undefined;
    if (handover === 'shutdown') process.exit(0);
    const stop = new AbortController();
    const start = await adoptProject(project, deps, stop.signal, handover);

    const log = (obj: Record<string, unknown>): void =>
      this.out(JSON.stringify({ ts: new Date().toISOString(), ...obj }));
    const logs = recordProjectLogs(project, deps, start.tracker, stop.signal, (e) =>
      log({ kind: 'log-store-error', error: String(e) }),
    );
    const host = await runStack(start, deps, {
      noGateway: flags['no-gateway'],
      ...(flags['gateway-port'] !== undefined ? { gatewayPort: flags['gateway-port'] } : {}),
      // The supervisor's log keeps every event, one JSON line each (`orch events` follows them live).
      listeners: [(e) => log({ kind: 'event', ...e })],
      // What the supervisor this one replaces saw stays in `orch events --since`.
      history: await readEventHistory(supervisorLog(project)),
      watch: flags.watch,
      reload: (fs) => loadFromFlags(flags, fs),
      onAccess: (e) => logs.recorder.add(accessRecord(e)),
      ...dashboardOption(flags),
    });
    await writeFile(join(stateDir(project), 'supervisor.pid'), `${process.pid}\n`);
    log({
      kind: 'ready',
      project: project.name,
      pid: process.pid,
      gateway: host.gateway ?? null,
      dashboard: host.dashboard ?? null,
    });

    const signalled = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    await Promise.race([host.shutdownRequested, signalled]);
    stop.abort();
    // Bounded: a stuck drain or rollout must not keep a stopped supervisor around.
    const cleanup = Promise.all([host.close(), logs.done]);
    const timedOut = await Promise.race([
      cleanup.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 10_000).unref()),
    ]);
    log({ kind: 'stopped', ...(timedOut ? { note: 'clean-up timed out after 10s' } : {}) });
    // A daemon ends when its work is done, not when the last stray handle (a pooled socket, a
    // watcher) happens to close.
    process.exit(0);
  }
}

/**
 * Waits, already booted, for `up` to hand the project over (or to call it off): a small control
 * API with the same socket, replaced by the real one once the containers are adopted.
 */
async function awaitHandover(project: Project): Promise<Handover | 'shutdown'> {
  let decide: (d: Handover | 'shutdown') => void = () => undefined;
  const decided = new Promise<Handover | 'shutdown'>((r) => (decide = r));
  const later = (d: (body: unknown) => Handover | 'shutdown') => (body: unknown) => {
    setImmediate(() => decide(d(body)));
    return Promise.resolve({ ok: true });
  };
  const server = new ControlServer(socketPath(project), undefined, {
    'GET /status': () =>
      Promise.resolve({ project: project.name, pid: process.pid, phase: 'waiting', gateway: null, rows: [] }),
    'POST /adopt': later(handoverOf),
    'POST /shutdown': later(() => 'shutdown'),
  });
  await server.listen();
  process.once('SIGTERM', () => decide('shutdown'));
  const decision = await decided;
  await server.close();
  return decision;
}
