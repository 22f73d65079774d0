import { getJson, plainEngineAddress } from './engine-http.js';

/** CPU and memory of one container, from the engine's stats API. */
export interface ContainerUsage {
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
}

interface StatsBody {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: {
    usage?: number;
    stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number };
  };
}

/**
 * Reads containers' CPU and memory with `one-shot` stats (no 1s wait per container, as a
 * `stream=false` read has). One sample holds no rate, so CPU % is the difference between this
 * reading and the previous one of the same container: the first reading of each has memory only.
 * Undefined when the engine is not one the plain client reaches (then the page shows no numbers).
 */
export function containerUsageReader(): ((id: string) => Promise<ContainerUsage>) | undefined {
  const address = plainEngineAddress(undefined, process.env);
  if (!address) return undefined;
  const last = new Map<string, { cpu: number; system: number }>();
  return async (id) => {
    const s = await getJson<StatsBody>(address, `/containers/${encodeURIComponent(id)}/stats`, {
      stream: false,
      'one-shot': true,
    });
    const cpu = s.cpu_stats?.cpu_usage?.total_usage;
    const system = s.cpu_stats?.system_cpu_usage;
    const cpus = s.cpu_stats?.online_cpus ?? 1;
    let cpuPercent: number | undefined;
    const prev = last.get(id);
    if (cpu !== undefined && system !== undefined) {
      if (prev && system > prev.system)
        cpuPercent = Math.max(0, ((cpu - prev.cpu) / (system - prev.system)) * cpus * 100);
      last.set(id, { cpu, system });
    }
    const usage = s.memory_stats?.usage;
    const inactive = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.total_inactive_file ?? 0;
    return {
      ...(cpuPercent !== undefined ? { cpuPercent: Math.round(cpuPercent * 10) / 10 } : {}),
      ...(usage !== undefined ? { memoryBytes: Math.max(0, usage - inactive) } : {}),
    };
  };
}
