import type { ChalkInstance } from 'chalk';
import type { Project } from '../model/project.js';
import { Label } from '../model/labels.js';
import type { EngineDeps, UpResult } from '../core/engine/up.js';
import { downProject } from '../core/engine/down.js';
import { followLogs } from '../core/engine/follow-logs.js';
import { logPrefix } from '../ui/log-view.js';
import { renderAccess, renderSessionEvent } from '../ui/session-view.js';
import { hostProject } from './host.js';
import type { Interrupt } from './interrupt.js';

export interface ForegroundIo {
  readonly out: (text: string) => void;
  readonly say: (text: string) => void;
  readonly style: ChalkInstance;
  readonly errStyle: ChalkInstance;
}

/**
 * Foreground `up`: supervise, serve the gateway and stream every replica's output until Ctrl-C,
 * then take the project down.
 */
export async function runForeground(
  project: Project,
  result: UpResult,
  deps: EngineDeps,
  interrupt: Interrupt,
  gatewayOpts: { noGateway: boolean; gatewayPort?: number },
  io: ForegroundIo,
): Promise<void> {
  const replicas = result.tracker.all().map((r) => ({ id: r.id, service: r.service, replica: r.replica }));
  const width = Math.max(7, ...replicas.map((r) => `${r.service}-${r.replica}`.length));
  const host = await hostProject(project, result.tracker, deps, {
    ...gatewayOpts,
    onSessionEvent: (e) => io.say(renderSessionEvent(e, io.errStyle)),
    onAccess: (e) => io.out(`${logPrefix('gateway', 1, width, io.style)} ${renderAccess(e)}`),
  });
  if (host.gateway) io.say(io.errStyle.green(`gateway: http://${host.gateway.host}:${host.gateway.port}/`));
  const logs = followLogs(replicas, deps.docker, interrupt.signal, (l) =>
    io.out(`${logPrefix(l.service, l.replica, width, io.style)} ${l.line}`),
  );
  await new Promise<void>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  await host.close();
  await tearDownOnInterrupt(project, deps, interrupt, io.say);
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
