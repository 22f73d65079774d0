import { setTimeout as sleep } from 'node:timers/promises';
import { serviceConfigHash } from '../../core/engine/config-hash.js';
import { gatewayEnvOf } from '../../core/engine/process-env.js';
import type { ExecResult, LogLine, UsageReading } from '../../core/ports.js';
import type { ReplicaId, ReplicaSnapshot, RuntimeEvent, RuntimePort } from '../../core/runtime/port.js';
import type { Project, ServiceSpec } from '../../model/project.js';
import { ProcessEvents } from './events.js';
import { runOnHost } from './exec.js';
import { HealthChecks } from './health.js';
import { checkRunnable, newRecord } from './launch.js';
import { promisedPort } from './ports.js';
import { exitOf, spawnShim, waitGone } from './lifecycle.js';
import { readLog } from './logs.js';
import { groupAlive, isAlive, signalGroup } from './proc.js';
import { ProcessNotFoundError, ProcessStore, type ProcessRecord } from './state.js';
import { snapshotOf, type RunState } from './snapshot.js';
import { readGroupUsage } from './stats.js';

export interface ProcessRuntimeOptions {
  /** The `processes/` directory of a project: `<project dir>/.orch/<project>/processes`. */
  readonly dirOf: (projectName: string) => string;
  /** How often the liveness of processes this runtime did not spawn is checked. Default 250 ms. */
  readonly pollMs?: number;
  /**
   * The port the project's gateway listens on, when this orch serves it (`--gateway-port` over
   * the file's); undefined without one. Host processes reach their container dependencies
   * through it (`ORCH_<SERVICE>_URL`, `ORCH_GATEWAY_URL`).
   */
  readonly gatewayPort?: (project: Project) => number | undefined;
}

/**
 * Host processes (`x-orch.process`) behind the same port as containers. Each replica runs under a
 * shim that leads its own process group, so a stop signals the whole tree, and nothing of it is a
 * child of this orch (it survives a `kill -9` of the supervisor, which a new one adopts from the
 * state on disk: pid plus start time, never a bare pid).
 */
export class ProcessRuntime implements RuntimePort {
  readonly kind = 'process' as const;
  private readonly stores = new Map<string, ProcessStore>();
  /** Which store holds an id: ids are found through `create` and `list` of a project first. */
  private readonly storeOfId = new Map<string, ProcessStore>();
  private readonly bus = new ProcessEvents();
  private readonly health = new HealthChecks((rec, status, output) => this.bus.health(rec, status, output));
  /**
   * Runs (`id@startTime`) whose end is being or has been reported, so each `die` is published
   * once; a caller that comes meanwhile waits for the report (see `noticeEnd`).
   */
  private readonly ends = new Map<string, Promise<void>>();
  private readonly pollMs: number;
  private closed = false;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.pollMs = opts.pollMs ?? 250;
  }

  private store(projectName: string): ProcessStore {
    let s = this.stores.get(projectName);
    if (!s) {
      s = new ProcessStore(this.opts.dirOf(projectName));
      this.stores.set(projectName, s);
    }
    return s;
  }

  private async record(id: ReplicaId): Promise<{ rec: ProcessRecord; store: ProcessStore }> {
    const candidates = [this.storeOfId.get(id), ...this.stores.values()].filter(
      (s): s is ProcessStore => s !== undefined,
    );
    for (const store of candidates) {
      const rec = await store.read(id);
      if (rec) {
        this.storeOfId.set(id, store);
        return { rec, store };
      }
    }
    throw new ProcessNotFoundError(id);
  }

  async configHash(project: Project, spec: ServiceSpec): Promise<string> {
    // The gateway addresses are part of what a replica was started with: another gateway port
    // recreates it rather than leaving it calling the old one.
    const reach = this.reachOf(project, spec);
    const keys = Object.keys(reach);
    if (keys.length === 0) return serviceConfigHash(spec, 'host-process');
    const named = keys
      .sort()
      .map((k) => `${k}=${reach[k]}`)
      .join(' ');
    return serviceConfigHash(spec, `host-process ${named}`);
  }

  private reachOf(project: Project, spec: ServiceSpec): Record<string, string> {
    return gatewayEnvOf(project, spec, this.opts.gatewayPort?.(project));
  }

  async create(
    project: Project,
    spec: ServiceSpec,
    replica: number,
    opts?: { readonly configHash?: string },
  ): Promise<ReplicaSnapshot> {
    const store = this.store(project.name);
    const key = `${spec.name}/${replica}`;
    const hash = opts?.configHash ?? (await this.configHash(project, spec));
    const rec = await store.exclusive(async () => {
      const made = await newRecord(
        project,
        spec,
        replica,
        hash,
        this.reachOf(project, spec),
        (await store.ports())[key],
      );
      if (made.port) await store.setPort(key, made.port.hostPort);
      return made;
    });
    await store.write(rec);
    this.storeOfId.set(rec.id, store);
    this.bus.lifecycle(rec, { type: 'create' });
    return this.snapshot(rec, store);
  }

  async start(id: ReplicaId): Promise<void> {
    const { rec, store } = await this.record(id);
    if (rec.run && (await isAlive(rec.run))) return;
    // The previous run's end is reported first (once), and its healthcheck goes with it.
    await this.noticeEnd(rec, store);
    await checkRunnable(rec.service, rec, rec.cwd);
    await store.clearExit(id);
    const { identity, ended } = await spawnShim(rec, store);
    const run = { ...identity, startedAt: new Date().toISOString() };
    const next: ProcessRecord = { ...rec, run };
    await store.write(next);
    this.bus.lifecycle(next, { type: 'start' });
    void ended.then(() => this.noticeEnd(next, store));
    this.health.watch(next);
  }

  async stop(id: ReplicaId, graceMs: number): Promise<void> {
    const { rec, store } = await this.record(id).catch(() => ({ rec: undefined, store: undefined }));
    if (!rec?.run || !store) return;
    if (await groupAlive(rec.run)) {
      await signalGroup(rec.run, rec.stopSignal as NodeJS.Signals);
      if (!(await waitGone(rec, graceMs))) {
        await signalGroup(rec.run, 'SIGKILL');
        await waitGone(rec, 5_000);
      }
      await this.noticeEnd(rec, store);
      this.bus.lifecycle(rec, { type: 'stop' });
    } else {
      await this.noticeEnd(rec, store);
    }
  }

  async kill(id: ReplicaId, signal = 'SIGKILL'): Promise<void> {
    const { rec } = await this.record(id);
    if (rec.run) await signalGroup(rec.run, signal as NodeJS.Signals);
  }

  async remove(id: ReplicaId, opts: { graceMs: number }): Promise<void> {
    const found = await this.record(id).catch(() => undefined);
    if (!found) return;
    await this.stop(id, opts.graceMs);
    this.health.stop(id);
    await found.store.remove(id);
    this.storeOfId.delete(id);
    this.bus.lifecycle(found.rec, { type: 'destroy' });
  }

  async inspect(id: ReplicaId): Promise<ReplicaSnapshot> {
    const { rec, store } = await this.record(id);
    return this.snapshot(rec, store);
  }

  async list(
    projectName: string,
    filter: { service?: string; replica?: number } = {},
  ): Promise<readonly ReplicaSnapshot[]> {
    const store = this.store(projectName);
    const recs = (await store.all()).filter(
      (r) =>
        r.project === projectName &&
        (filter.service === undefined || r.service === filter.service) &&
        (filter.replica === undefined || r.replica === filter.replica),
    );
    for (const r of recs) this.storeOfId.set(r.id, store);
    return Promise.all(recs.map((r) => this.snapshot(r, store)));
  }

  async *events(projectName: string, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const store = this.store(projectName);
    // Ends before this subscription are history (`list` reports them); only new ones are events.
    for (const r of await store.all())
      if (r.run && !(await isAlive(r.run)) && !this.ends.has(endKey(r)))
        this.ends.set(endKey(r), Promise.resolve());
    const poller = this.poll(projectName, signal);
    try {
      yield* this.bus.follow(projectName, signal);
    } finally {
      await poller;
    }
  }

  async *logs(
    id: ReplicaId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    const { store } = await this.record(id);
    yield* readLog(store.file(id, 'log'), opts, async () => {
      const now = await store.read(id);
      return now?.run !== undefined && (await isAlive(now.run));
    });
  }

  async exec(
    id: ReplicaId,
    cmd: readonly string[],
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ExecResult> {
    const { rec } = await this.running(id);
    return runOnHost(cmd, { cwd: rec.cwd, env: rec.env, ...opts });
  }

  /** CPU, memory and pids of the replica's process group, from /proc (see stats.ts). */
  async stats(id: ReplicaId): Promise<UsageReading> {
    const { run } = await this.running(id);
    return readGroupUsage(run.pid);
  }

  /**
   * The `PORT` replica `replica` of `spec` has, or will get when it is made (see ports.ts): what
   * containers are told in `ORCH_<SERVICE>_URL`, so they may be created before the process is.
   */
  async portOf(project: Project, spec: ServiceSpec, replica: number): Promise<number | undefined> {
    const store = this.store(project.name);
    return store.exclusive(async () => {
      const existing = await this.list(project.name, { service: spec.name, replica });
      return promisedPort(spec, replica, existing, store);
    });
  }

  /** Stops this runtime's healthchecks and pollers; the processes themselves keep running. */
  close(): void {
    this.closed = true;
    this.health.close();
  }

  // ---- internals ----

  /** The replica's record and current run; rejects (409, as the engine) when it does not run. */
  private async running(
    id: ReplicaId,
  ): Promise<{ rec: ProcessRecord; run: NonNullable<ProcessRecord['run']> }> {
    const { rec } = await this.record(id);
    if (!rec.run || !(await isAlive(rec.run)))
      throw Object.assign(new Error(`host process ${rec.name} is not running`), { statusCode: 409 });
    return { rec, run: rec.run };
  }

  private async snapshot(rec: ProcessRecord, store: ProcessStore): Promise<ReplicaSnapshot> {
    let state: RunState = { kind: 'created' };
    if (rec.run) {
      if (await isAlive(rec.run)) state = { kind: 'running' };
      else state = { kind: 'exited', exit: await exitOf(rec, store) };
    }
    return snapshotOf(rec, state, this.health.statusOf(rec, state.kind === 'running'));
  }

  /** The end of a run, once: what is left of its group goes, and `die` is published. */
  private async noticeEnd(rec: ProcessRecord, store: ProcessStore): Promise<void> {
    if (!rec.run) return;
    const key = endKey(rec);
    // A caller that comes while another is noticing the end waits for it: `remove` must not
    // delete the files before the other one has written the exit record.
    const claimed = this.ends.get(key);
    if (claimed) return claimed;
    // Claimed before the first await: several pollers and the child's exit may all notice it.
    const done = this.recordEnd(rec, store, key);
    // Later callers only wait: a failure is the first caller's to report.
    this.ends.set(
      key,
      done.catch(() => undefined),
    );
    return done;
  }

  private async recordEnd(rec: ProcessRecord, store: ProcessStore, key: string): Promise<void> {
    if (!rec.run) return;
    if (await isAlive(rec.run)) {
      this.ends.delete(key);
      return;
    }
    // The shim ends its group when the command exits; if the shim itself was killed, the
    // command and what it started may still run, orphaned in the group.
    await signalGroup(rec.run, 'SIGKILL');
    this.health.stop(rec.id);
    const exit = await exitOf(rec, store);
    this.bus.lifecycle(rec, { type: 'die', exitCode: exit.exitCode });
  }

  /**
   * While someone follows a project's events: processes this orch did not spawn (adopted from a
   * previous supervisor) are not its children, so no exit reaches it; their liveness is polled
   * (and their healthchecks taken over). Spawned ones report through their exit too, sooner.
   */
  private async poll(projectName: string, signal: AbortSignal): Promise<void> {
    const store = this.store(projectName);
    while (!signal.aborted && !this.closed) {
      for (const rec of await store.all().catch(() => [])) {
        if (!rec.run || this.ends.has(endKey(rec))) continue;
        if (await isAlive(rec.run)) this.health.watch(rec);
        else await this.noticeEnd(rec, store);
      }
      try {
        await sleep(this.pollMs, undefined, { signal });
      } catch {
        return;
      }
    }
  }
}

function endKey(rec: ProcessRecord): string {
  return `${rec.id}@${rec.run?.startTime ?? ''}`;
}
