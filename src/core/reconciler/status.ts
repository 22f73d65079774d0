import type { PsRow } from '../engine/ps.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import type { Supervisor } from '../supervisor/index.js';

/** One replica as `ps` shows it: the same row with or without a supervisor. */
export type StatusRow = PsRow;

/** Without a supervisor (nothing is hosted), states and health are the tracker's alone. */
export function statusRows(tracker: ReplicaTracker, supervisor?: Supervisor): StatusRow[] {
  return tracker
    .all()
    .map((r) => {
      const sup = supervisor?.status(r.service, r.replica);
      const engineState = r.state === 'exited' ? `exited (${r.exitCode ?? '?'})` : r.state;
      let state = engineState;
      if (sup?.state === 'crashloop') state = 'crashloop';
      else if (sup?.state === 'restarting') state = 'restarting';
      else if (sup?.state === 'waiting') state = `waiting on ${(sup.waitingOn ?? []).join(', ')}`;
      else if (sup?.state === 'gave-up') state = `${engineState}, gave up`;
      return {
        service: r.service,
        replica: r.replica,
        container: r.name,
        state,
        // A stopped container's last health verdict is history, not its health.
        health: r.state === 'running' ? tracker.health(r) : 'none',
        restarts: sup?.restarts ?? 0,
        ports: r.snapshot.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`),
        startedAt: r.state === 'running' ? r.snapshot.startedAt : null,
        // Only while it runs: a pid that ended may since belong to another process.
        ...(r.snapshot.pid !== undefined && r.state === 'running' ? { pid: r.snapshot.pid } : {}),
      };
    })
    .sort((a, b) => (a.service === b.service ? a.replica - b.replica : a.service < b.service ? -1 : 1));
}
