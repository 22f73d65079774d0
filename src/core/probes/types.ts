import type { Clock, NetProbePort } from '../ports.js';
import type { RuntimePort } from '../runtime/port.js';

export type ProbeStatus = 'starting' | 'healthy' | 'unhealthy';

export interface ProbeTarget {
  /** The replica on its runtime: exec and log probes run there. */
  replicaId: string;
  /** Host address of a container port, from the snapshot's published ports. */
  hostAddress(containerPort: number): { host: string; port: number } | undefined;
}

export interface ProbeDeps {
  clock: Clock;
  net: NetProbePort;
  /** The runtime of the probed replica. */
  runtime: Pick<RuntimePort, 'exec' | 'logs'>;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
  /** Virtual/real time at which the check began (Docker judges the start period by this, too). */
  at: number;
}

export type ProbeChangeListener = (status: ProbeStatus, last: ProbeResult) => void;
