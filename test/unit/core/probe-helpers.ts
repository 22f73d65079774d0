import type { ProbeSpec } from '../../../src/model/project.js';
import {
  ProbeHistory,
  runProbe,
  type RunProbeOptions,
  type ProbeResult,
  type ProbeStatus,
  type ProbeTarget,
} from '../../../src/core/probes/index.js';
import { FakeClock, FakeDocker, FakeNet } from '../../fakes/index.js';

export const timing = { intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0 };

/** Container port p is published on 127.0.0.1:(40000 + p); port 9 is not published. */
export const target: ProbeTarget = {
  replicaId: 'c1',
  hostAddress: (p) => (p === 9 ? undefined : { host: '127.0.0.1', port: 40000 + p }),
};

export interface ProbeRun {
  clock: FakeClock;
  net: FakeNet;
  docker: FakeDocker;
  history: ProbeHistory;
  changes: { status: ProbeStatus; at: number; last: ProbeResult }[];
  start(spec: ProbeSpec, opts?: RunProbeOptions): void;
  /** Aborts the probe and resolves once runProbe has returned. */
  stop(): Promise<void>;
}

export function probeRun(): ProbeRun {
  const clock = new FakeClock();
  const net = new FakeNet(clock);
  const docker = new FakeDocker(clock);
  const history = new ProbeHistory(5);
  const changes: ProbeRun['changes'] = [];
  const ctl = new AbortController();
  let done: Promise<void> | undefined;
  return {
    clock,
    net,
    docker,
    history,
    changes,
    start(spec, opts) {
      const deps = { clock, net, runtime: docker };
      done = runProbe(
        spec,
        target,
        deps,
        ctl.signal,
        (status, last) => changes.push({ status, at: clock.now(), last }),
        history,
        opts,
      );
    },
    async stop() {
      ctl.abort();
      await done;
    },
  };
}
