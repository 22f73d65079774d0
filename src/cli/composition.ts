import { readFile } from 'node:fs/promises';
import { DockerodeAdapter } from '../adapters/docker/adapter.js';
import { systemClock } from '../adapters/clock.js';
import { nodeNetProbe } from '../adapters/net-probe.js';
import { runProbe } from '../core/probes/index.js';
import type { EngineDeps } from '../core/engine/up.js';
import type { ProbeStarter } from '../core/engine/replica-tracker.js';
import type { DockerPort } from '../core/ports.js';

/** The one place where real adapters are built and handed to the core. */
export function engineDeps(): EngineDeps {
  const docker: DockerPort = new DockerodeAdapter();
  const clock = systemClock;
  const net = nodeNetProbe;
  const startProbe: ProbeStarter = (service, replica, signal, onChange, history) => {
    const probe = service.orch.probe;
    if (!probe) return Promise.resolve();
    const target = {
      containerId: replica.id,
      hostAddress(containerPort: number) {
        const p = replica.snapshot.ports.find(
          (x) => x.containerPort === containerPort && x.protocol === 'tcp',
        );
        if (!p) return undefined;
        // A port bound to every address is still reached over loopback from the host.
        const host =
          p.hostIp === '0.0.0.0' || p.hostIp === '' ? '127.0.0.1' : p.hostIp === '::' ? '::1' : p.hostIp;
        return { host, port: p.hostPort };
      },
    };
    return runProbe(probe, target, { clock, net, docker }, signal, onChange, history);
  };
  return { docker, clock, startProbe, readFile: (p) => readFile(p), env: process.env };
}
