import type { ContainerStats } from '../../core/ports.js';

/** The part of the engine's stats body orch reads (cgroup v1 and v2 name the cache differently). */
export interface StatsBody {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: { inactive_file?: number; total_inactive_file?: number };
  };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

/** The query of a one-shot read: no second sample, so no one-second wait per container. */
export const ONE_SHOT = { stream: false, 'one-shot': true } as const;

/** The engine's stats body as orch's counters; a missing figure (a stopped container) reads as 0. */
export function mapStats(s: StatsBody): ContainerStats {
  const usage = s.memory_stats?.usage ?? 0;
  const inactive = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.total_inactive_file ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  const pids = s.pids_stats?.current;
  return {
    cpuTotalNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
    systemCpuNs: s.cpu_stats?.system_cpu_usage ?? 0,
    onlineCpus: s.cpu_stats?.online_cpus ?? 1,
    memoryBytes: Math.max(0, usage - inactive),
    memoryLimitBytes: s.memory_stats?.limit ?? 0,
    rxBytes: rx,
    txBytes: tx,
    ...(pids !== undefined ? { pids } : {}),
  };
}
