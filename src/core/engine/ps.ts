import type { Project } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import type { HealthStatus } from '../ports.js';
import type { Runtimes } from '../runtime/port.js';
import { listAll } from '../runtime/runtimes.js';

/** One replica as `ps` shows it (contract §2: the keys of `orch ps --json`). */
export interface PsRow {
  readonly service: string;
  readonly replica: number;
  readonly container: string;
  /** `running`, `exited (0)`, `created`, ... */
  readonly state: string;
  readonly health: HealthStatus;
  readonly restarts: number;
  readonly ports: readonly string[];
  readonly startedAt: string | null;
  /** A host process's pid (its process group leader); absent for a container. */
  readonly pid?: number;
}

/**
 * One row per replica, read from the engine by label (labels are the source of truth). No
 * `ping` first: the list itself reports an unreachable engine the same way, and the engine is
 * slow to answer `GET /version`: Docker runs `runc --version` and `docker-init --version` for it,
 * 30–250 ms on this project's loaded machine (`/_ping` ~2 ms), the largest part of an `orch ps`
 * with no supervisor running.
 */
export async function psProject(project: Project, deps: { readonly runtimes: Runtimes }): Promise<PsRow[]> {
  const cs = await listAll(deps.runtimes, project.name);
  // listContainers already inspected each one: health and exit codes are in the snapshots.
  const rows = cs.map((c) => ({
    service: c.labels[Label.service] ?? '?',
    replica: Number(c.labels[Label.replica] ?? '0'),
    container: c.name,
    state: c.state === 'exited' ? `exited (${c.exitCode ?? '?'})` : c.state,
    health: c.state === 'running' ? c.health : ('none' as const),
    restarts: 0,
    ports: c.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`),
    startedAt: c.state === 'running' ? c.startedAt : null,
    ...(c.pid !== undefined ? { pid: c.pid } : {}),
  }));
  return rows.sort((a, b) =>
    a.service === b.service ? a.replica - b.replica : a.service < b.service ? -1 : 1,
  );
}
