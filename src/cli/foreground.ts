import type { ChalkInstance } from 'chalk';
import type { Project } from '../model/project.js';
import { Label } from '../model/labels.js';
import type { EngineDeps, UpResult } from '../core/engine/up.js';
import { downProject } from '../core/engine/down.js';
import { followLogs } from '../core/engine/follow-logs.js';
import { logPrefix } from '../ui/log-view.js';
import type { Interrupt } from './interrupt.js';

/** Foreground `up`: stream every replica's output until Ctrl-C, then take the project down. */
export async function runForeground(
  project: Project,
  result: UpResult,
  deps: EngineDeps,
  interrupt: Interrupt,
  out: (text: string) => void,
  style: ChalkInstance,
): Promise<void> {
  const replicas = result.tracker.all().map((r) => ({ id: r.id, service: r.service, replica: r.replica }));
  const width = Math.max(0, ...replicas.map((r) => `${r.service}-${r.replica}`.length));
  const logs = followLogs(replicas, deps.docker, interrupt.signal, (l) =>
    out(`${logPrefix(l.service, l.replica, width, style)} ${l.line}`),
  );
  await new Promise<void>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  result.tracker.close();
  await tearDownOnInterrupt(project, deps, interrupt, (t) => process.stderr.write(`${t}\n`));
  await logs;
}

/** Ctrl-C: stop and remove the project's containers; a second Ctrl-C kills them at once. */
export async function tearDownOnInterrupt(
  project: Project,
  deps: EngineDeps,
  interrupt: Interrupt,
  say: (text: string) => void,
): Promise<void> {
  say('orch: stopping (Ctrl-C again to kill)…');
  const kill = async (): Promise<void> => {
    const cs = await deps.docker.listContainers([`${Label.project}=${project.name}`]);
    await Promise.all(cs.map((c) => deps.docker.killContainer(c.id).catch(() => undefined)));
  };
  interrupt.force.addEventListener('abort', () => void kill(), { once: true });
  const result = await downProject(project, { removeVolumes: false, onEvent: () => undefined }, deps.docker);
  say(`orch: removed ${result.containers.length} container(s)`);
}
