import { describe, expect, it } from 'vitest';
import type { ContainerStats, UsageReading } from '../../../src/core/ports.js';
import { StatsSampler, cpuPercent, type StatsTarget } from '../../../src/core/stats/sampler.js';
import { FakeClock } from '../../fakes/index.js';
import { mapStats } from '../../../src/adapters/docker/stats.js';

const NS = 1e6; // ns per ms

/**
 * A container whose CPU counter grows by `cpuShare` of one CPU per ms of the clock, on a host
 * with `cpus` CPUs (the host counter grows by cpus × elapsed).
 */
class FakeStatsPort {
  readonly calls: string[] = [];
  /** `runtime:id` of each read, as the sampler routed it. */
  readonly kinds: string[] = [];
  readonly failing = new Set<string>();
  readonly share = new Map<string, number>();
  private readonly used = new Map<string, number>();
  private lastAt = new Map<string, number>();

  constructor(
    private readonly clock: FakeClock,
    private readonly cpus = 2,
  ) {}

  stats(id: string): Promise<UsageReading> {
    this.calls.push(id);
    if (this.failing.has(id)) return Promise.reject(new Error(`no such container: ${id}`));
    const now = this.clock.now();
    const since = now - (this.lastAt.get(id) ?? now);
    this.lastAt.set(id, now);
    const used = (this.used.get(id) ?? 0) + since * NS * (this.share.get(id) ?? 0);
    this.used.set(id, used);
    if (id.startsWith('proc-'))
      // A host process: no host CPU counter (wall time instead), no network of its own.
      return Promise.resolve({
        cpuTotalNs: used,
        systemCpuNs: 0,
        onlineCpus: this.cpus,
        memoryBytes: 30_000_000,
        memoryLimitBytes: 120_000_000,
        pids: 2,
      });
    return Promise.resolve({
      cpuTotalNs: used,
      systemCpuNs: 1e12 + now * NS * this.cpus,
      onlineCpus: this.cpus,
      memoryBytes: 50_000_000,
      memoryLimitBytes: 200_000_000,
      rxBytes: now,
      txBytes: 2 * now,
      pids: 3,
    });
  }
}

function setup(targets: StatsTarget[]): { clock: FakeClock; port: FakeStatsPort; sampler: StatsSampler } {
  const clock = new FakeClock(1_000_000);
  const port = new FakeStatsPort(clock);
  const sampler = new StatsSampler({
    runtimes: { kind: (kind) => ({ stats: (id) => (port.kinds.push(`${kind}:${id}`), port.stats(id)) }) },
    clock,
    targets: () => targets,
    idleMs: 10_000,
  });
  return { clock, port, sampler };
}

describe('StatsSampler', () => {
  it('reads nothing until someone asks, then every 2 s; CPU % from the second reading on', async () => {
    const targets: StatsTarget[] = [
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
    ];
    const { clock, port, sampler } = setup(targets);
    port.share.set('c1', 0.5);
    await clock.advance(60_000);
    expect(port.calls).toEqual([]);

    expect(sampler.latest()).toEqual([]);
    await clock.flush();
    expect(port.calls).toEqual(['c1']);
    const first = sampler.of('api', 1);
    expect(first).toMatchObject({
      memoryBytes: 50_000_000,
      memoryLimitBytes: 200_000_000,
      memoryPercent: 25,
    });
    expect(first?.cpuPercent).toBeUndefined();

    await clock.advance(2_000);
    expect(port.calls).toHaveLength(2);
    // half of one CPU: 50%, as docker stats shows it (whatever the host's CPU count)
    expect(sampler.of('api', 1)?.cpuPercent).toBe(50);
    sampler.close();
  });

  it('reads a host process through its runtime: CPU by wall time, memory, pids, and no network figures', async () => {
    const { clock, port, sampler } = setup([
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
      { service: 'web', replica: 1, id: 'proc-1', container: 'p-web-1', runtime: 'process' },
    ]);
    port.share.set('proc-1', 0.75);
    sampler.latest();
    await clock.advance(2_000);
    expect(port.kinds.slice(0, 2).sort()).toEqual(['container:c1', 'process:proc-1']);
    const web = sampler.of('web', 1);
    expect(web).toMatchObject({ cpuPercent: 75, memoryBytes: 30_000_000, memoryPercent: 25, pids: 2 });
    expect(web).not.toHaveProperty('rxBytes');
    expect(web).not.toHaveProperty('txBytes');
    expect(sampler.of('api', 1)).toHaveProperty('rxBytes');
    sampler.close();
  });

  it('stops once nobody has read for idleMs, and starts again on the next read', async () => {
    const { clock, port, sampler } = setup([
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
    ]);
    sampler.latest();
    await clock.advance(10_000);
    const whileRead = port.calls.length;
    expect(whileRead).toBe(5); // at 0, 2, 4, 6 and 8 s; at 10 s nobody has read for idleMs
    await clock.advance(30_000);
    expect(port.calls.length).toBe(whileRead);
    expect(clock.pendingTimers).toBe(0);
    sampler.latest();
    await clock.flush();
    expect(port.calls.length).toBe(whileRead + 1);
    sampler.close();
  });

  it('follows the targets: a replica gone or failing to read loses its figures', async () => {
    const targets: StatsTarget[] = [
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
      { service: 'api', replica: 2, id: 'c2', container: 'p-c2', runtime: 'container' },
      { service: 'db', replica: 1, id: 'c3', container: 'p-c3', runtime: 'container' },
    ];
    const { clock, port, sampler } = setup(targets);
    sampler.latest();
    await clock.flush();
    expect(sampler.latest().map((s) => `${s.service}-${s.replica}`)).toEqual(['api-1', 'api-2', 'db-1']);
    targets.splice(1, 1);
    port.failing.add('c3');
    await clock.advance(2_000);
    expect(sampler.latest().map((s) => `${s.service}-${s.replica}`)).toEqual(['api-1']);
    sampler.close();
  });

  it('fresh() waits for a CPU figure (two rounds) when idle, and answers at once when current', async () => {
    const { clock, port, sampler } = setup([
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
    ]);
    port.share.set('c1', 1.5);
    let got: readonly { cpuPercent?: number }[] | undefined;
    void sampler.fresh().then((s) => (got = s));
    await clock.flush();
    expect(got).toBeUndefined();
    await clock.advance(2_000);
    expect(got?.[0]?.cpuPercent).toBe(150);

    await clock.advance(500);
    const before = port.calls.length;
    let again: readonly unknown[] | undefined;
    void sampler.fresh().then((s) => (again = s));
    await clock.flush();
    expect(again).toHaveLength(1);
    expect(port.calls.length).toBe(before);
    sampler.close();
  });

  it('close() ends the loop and releases waiting readers', async () => {
    const { clock, sampler } = setup([
      { service: 'api', replica: 1, id: 'c1', container: 'p-c1', runtime: 'container' },
    ]);
    const p = sampler.fresh();
    await clock.flush();
    sampler.close();
    await expect(p).resolves.toBeDefined();
    await clock.flush();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('cpuPercent', () => {
  const base: ContainerStats = {
    cpuTotalNs: 0,
    systemCpuNs: 0,
    onlineCpus: 4,
    memoryBytes: 0,
    memoryLimitBytes: 0,
    rxBytes: 0,
    txBytes: 0,
  };
  it('uses the host counter when there is one, wall time when not, nothing when counters went back', () => {
    const a = { ...base, cpuTotalNs: 1e9, systemCpuNs: 100e9 };
    expect(cpuPercent(a, { ...a, cpuTotalNs: 3e9, systemCpuNs: 108e9 }, 2000)).toBe(100); // 2 of 8 CPU-s × 4
    expect(cpuPercent(base, { ...base, cpuTotalNs: 0.5e9 }, 1000)).toBe(50);
    expect(cpuPercent(a, { ...a, cpuTotalNs: 0 }, 1000)).toBeUndefined();
  });
});

describe('mapStats (the engine body)', () => {
  it('subtracts the inactive file cache (v1 or v2 name), sums every interface, defaults missing figures to 0', () => {
    expect(
      mapStats({
        cpu_stats: { cpu_usage: { total_usage: 7 }, system_cpu_usage: 9, online_cpus: 2 },
        memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200 } },
        networks: { eth0: { rx_bytes: 10, tx_bytes: 20 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
        pids_stats: { current: 5 },
      }),
    ).toEqual({
      cpuTotalNs: 7,
      systemCpuNs: 9,
      onlineCpus: 2,
      memoryBytes: 800,
      memoryLimitBytes: 4000,
      rxBytes: 11,
      txBytes: 22,
      pids: 5,
    });
    expect(mapStats({})).toEqual({
      cpuTotalNs: 0,
      systemCpuNs: 0,
      onlineCpus: 1,
      memoryBytes: 0,
      memoryLimitBytes: 0,
      rxBytes: 0,
      txBytes: 0,
    });
  });
});
