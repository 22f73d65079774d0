import type { HealthStatus } from '../../core/ports.js';
import type { ReplicaSnapshot } from '../../core/runtime/port.js';
import type { ExitRecord, ProcessRecord } from './state.js';

export type RunState = { kind: 'created' } | { kind: 'running' } | { kind: 'exited'; exit: ExitRecord };

/**
 * A replica as the tracker, `ps` and the probes read a container: the command line stands in the
 * image column, and the port it was given is published on 127.0.0.1 under the declared port, so
 * routes and http/tcp probes that name the declared port reach it unchanged.
 */
export function snapshotOf(rec: ProcessRecord, state: RunState, health: HealthStatus): ReplicaSnapshot {
  return {
    runtime: 'process',
    id: rec.id,
    name: rec.name,
    image: rec.display,
    labels: rec.labels,
    state: state.kind,
    exitCode: state.kind === 'exited' ? state.exit.exitCode : null,
    health,
    createdAt: rec.createdAt,
    startedAt: rec.run?.startedAt ?? null,
    finishedAt: state.kind === 'exited' ? state.exit.finishedAt : null,
    ports: rec.port
      ? [
          {
            containerPort: rec.port.containerPort,
            protocol: 'tcp',
            hostIp: '127.0.0.1',
            hostPort: rec.port.hostPort,
          },
        ]
      : [],
    ...(rec.healthcheck ? { healthcheck: rec.healthcheck } : {}),
    // Only while it runs: the pid of a run that ended may since belong to another process.
    ...(rec.run && state.kind === 'running' ? { pid: rec.run.pid } : {}),
  };
}
