import type { Clock, DockerPort, NetProbePort } from '../ports.js';

export type ProbeStatus = 'starting' | 'healthy' | 'unhealthy';

export interface ProbeTarget {
  containerId: string;
  /** Host address of a container port, from the snapshot's published ports. */
  hostAddress(containerPort: number): { host: string; port: number } | undefined;
}

export interface ProbeDeps {
  clock: Clock;
  net: NetProbePort;
  docker: Pick<DockerPort, 'exec' | 'logs'>;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
  /** Virtual/real time at which the check began (Docker judges the start period by this, too). */
  at: number;
}

export type ProbeChangeListener = (status: ProbeStatus, last: ProbeResult) => void;
