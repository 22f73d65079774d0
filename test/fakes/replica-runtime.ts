import { createHash } from 'node:crypto';
import type { Project, ServiceSpec } from '../../src/model/project.js';
import { Label } from '../../src/model/labels.js';
import type { ExecResult, HealthStatus, LogLine, UsageReading } from '../../src/core/ports.js';
import type {
  ReplicaId,
  ReplicaSnapshot,
  RuntimeEvent,
  RuntimeKind,
  RuntimePort,
} from '../../src/core/runtime/port.js';
import { untilAborted } from './abort.js';
import { FakeEventStream } from './event-stream.js';
import { FakeLogBuffer } from './log-buffer.js';
import type { FakeClock } from './clock.js';

/** How one run of a replica behaves (from one start to its end), on the virtual clock. */
export interface FakeRun {
  /** start() rejects with this message, and the replica stays created. */
  readonly startError?: string;
  /** Exits by itself this long after the start, with `exitCode` (default 1). */
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
  /** Has a health check: `starting` from the start, `healthy` this long after it. */
  readonly healthyAfterMs?: number;
  /** Turns `unhealthy` this long after the start (after healthy, if both), printing `unhealthyOutput`. */
  readonly unhealthyAfterMs?: number;
  readonly unhealthyOutput?: string;
  /** Lines printed at the start. */
  readonly logs?: readonly string[];
}

interface Box {
  snap: ReplicaSnapshot;
  readonly logs: FakeLogBuffer;
  /** Ends the timers of the current run (its exit, its health changes). */
  run?: AbortController | undefined;
}

export interface FakeRuntimeCall {
  readonly op: 'create' | 'start' | 'stop' | 'kill' | 'remove';
  readonly service: string;
  readonly replica: number;
  readonly id: ReplicaId;
  readonly at: number;
}

/**
 * A replica runtime in memory, on the virtual clock: create, start, stop, kill, remove as an
 * engine does them, scripted runs per service (exits with codes, health turns with probe output),
 * an event stream a test can break (the engine restarting), and list/inspect that always agree
 * with the events already sent. Ids are `<kind>-1`, `<kind>-2`, …; names `project-service-n`.
 */
export class FakeReplicaRuntime implements RuntimePort {
  readonly calls: FakeRuntimeCall[] = [];
  private readonly boxes = new Map<ReplicaId, Box>();
  private readonly runs = new Map<string, FakeRun[]>();
  private readonly stream = new FakeEventStream();
  private readonly execScripts = new Map<ReplicaId, ExecResult>();
  private seq = 0;
  /** While set, `events` and `list` fail as they do while the engine is away. */
  private away = false;

  constructor(
    private readonly clock: FakeClock,
    readonly kind: RuntimeKind = 'container',
  ) {}

  /** The runs of `service`'s replicas, one per start in order (the last repeats); unscripted: runs forever. */
  script(service: string, ...runs: FakeRun[]): this {
    this.runs.set(service, [...runs]);
    return this;
  }

  /** What exec answers in this replica (default: exit 0 while its health check passes or it has none, else 1). */
  scriptExec(id: ReplicaId, answer: ExecResult): this {
    this.execScripts.set(id, answer);
    return this;
  }

  /** Every replica in every state. */
  snapshots(): ReplicaSnapshot[] {
    return [...this.boxes.values()].map((b) => b.snap);
  }

  /** The replica of `service` number `replica`, if one exists. */
  find(service: string, replica = 1): ReplicaSnapshot | undefined {
    return this.snapshots().find(
      (s) => s.labels[Label.service] === service && s.labels[Label.replica] === String(replica),
    );
  }

  /** Calls of one kind, as `service-replica`. */
  callsOf(op: FakeRuntimeCall['op']): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => `${c.service}-${c.replica}`);
  }

  /** The replica exits by itself (a crash). `silent`: the engine was away, no event is sent. */
  exit(id: ReplicaId, exitCode: number, opts: { silent?: boolean } = {}): void {
    const b = this.box(id);
    if (b.snap.state !== 'running') return;
    this.end(b, exitCode);
    if (!opts.silent) this.send(b, { type: 'die', exitCode });
  }

  /** The replica's health check turns (Docker's `health_status`), with what the check printed. */
  setHealth(id: ReplicaId, health: HealthStatus, output?: string): void {
    const b = this.box(id);
    b.snap = { ...b.snap, health };
    this.send(b, { type: 'health', health, ...(output !== undefined ? { output } : {}) });
  }

  /** Prints a line on the replica's stdout. */
  print(id: ReplicaId, line: string): void {
    const b = this.box(id);
    b.logs.push({ stream: 'stdout', ts: new Date(this.clock.now()).toISOString(), line });
  }

  /** A container rename (a rollout parks the old replica under another name). */
  rename(id: ReplicaId, name: string): void {
    const b = this.box(id);
    b.snap = { ...b.snap, name };
  }

  /** The engine goes away: every event stream breaks, and lists fail until `back()`. */
  goAway(): void {
    this.away = true;
    this.stream.breakAll(new Error('socket hang up'));
  }

  back(): void {
    this.away = false;
  }

  // ---- RuntimePort ----

  configHash(_project: Project, spec: ServiceSpec): Promise<string> {
    const { pos: _p, replicas: _r, watch: _w, dependsOn: _d, ...shape } = spec;
    return Promise.resolve(createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16));
  }

  async create(
    project: Project,
    spec: ServiceSpec,
    replica: number,
    opts?: { readonly configHash?: string },
  ): Promise<ReplicaSnapshot> {
    const name = spec.containerName ?? `${project.name}-${spec.name}-${replica}`;
    if (this.snapshots().some((s) => s.name === name))
      throw new Error(`Conflict. The container name "/${name}" is already in use`);
    const id = `${this.kind}-${++this.seq}`;
    const snap: ReplicaSnapshot = {
      id,
      runtime: this.kind,
      name,
      image: spec.image ?? spec.name,
      labels: {
        [Label.project]: project.name,
        [Label.service]: spec.name,
        [Label.replica]: String(replica),
        [Label.configHash]: opts?.configHash ?? (await this.configHash(project, spec)),
      },
      state: 'created',
      exitCode: null,
      health: 'none',
      createdAt: new Date(this.clock.now()).toISOString(),
      startedAt: null,
      finishedAt: null,
      // Each declared port published on its own loopback port, as an ephemeral binding would be.
      ports: spec.ports.map((p) => ({
        containerPort: p.target,
        protocol: p.protocol,
        hostIp: '127.0.0.1',
        hostPort: 40_000 + this.seq,
      })),
    };
    const b: Box = { snap, logs: new FakeLogBuffer() };
    this.boxes.set(id, b);
    this.record('create', b);
    this.send(b, { type: 'create' });
    return snap;
  }

  start(id: ReplicaId): Promise<void> {
    const b = this.box(id);
    this.record('start', b);
    if (b.snap.state === 'running') return Promise.resolve();
    const run = this.nextRun(b);
    if (run.startError !== undefined) return Promise.reject(new Error(run.startError));
    const healthChecked = run.healthyAfterMs !== undefined || run.unhealthyAfterMs !== undefined;
    b.snap = {
      ...b.snap,
      state: 'running',
      exitCode: null,
      health: healthChecked ? 'starting' : 'none',
      startedAt: new Date(this.clock.now()).toISOString(),
    };
    const ctl = new AbortController();
    b.run = ctl;
    for (const line of run.logs ?? []) this.print(id, line);
    this.send(b, { type: 'start' });
    const after = (ms: number | undefined, fire: () => void): void => {
      if (ms === undefined) return;
      this.clock.sleep(ms, ctl.signal).then(
        () => {
          if (!ctl.signal.aborted) fire();
        },
        () => undefined,
      );
    };
    after(run.healthyAfterMs, () => this.setHealth(id, 'healthy'));
    after(run.unhealthyAfterMs, () => this.setHealth(id, 'unhealthy', run.unhealthyOutput ?? ''));
    after(run.exitAfterMs, () => this.exit(id, run.exitCode ?? 1));
    return delivered();
  }

  stop(id: ReplicaId, _graceMs: number): Promise<void> {
    const b = this.box(id);
    this.record('stop', b);
    if (b.snap.state !== 'running') return Promise.resolve();
    this.send(b, { type: 'kill' });
    this.end(b, 143);
    this.send(b, { type: 'die', exitCode: 143 });
    this.send(b, { type: 'stop' });
    return delivered();
  }

  kill(id: ReplicaId, _signal?: string): Promise<void> {
    const b = this.box(id);
    this.record('kill', b);
    if (b.snap.state !== 'running') return Promise.resolve();
    this.send(b, { type: 'kill' });
    this.end(b, 137);
    this.send(b, { type: 'die', exitCode: 137 });
    return delivered();
  }

  async remove(id: ReplicaId, opts: { graceMs: number }): Promise<void> {
    const b = this.boxes.get(id);
    if (!b) return;
    if (b.snap.state === 'running') await this.stop(id, opts.graceMs);
    this.record('remove', b);
    this.boxes.delete(id);
    this.send(b, { type: 'destroy' });
    await delivered();
  }

  inspect(id: ReplicaId): Promise<ReplicaSnapshot> {
    const b = this.boxes.get(id);
    return b ? Promise.resolve(b.snap) : Promise.reject(new Error(`No such container: ${id}`));
  }

  list(
    projectName: string,
    filter: { service?: string; replica?: number } = {},
  ): Promise<readonly ReplicaSnapshot[]> {
    if (this.away) return Promise.reject(new Error('connect ENOENT'));
    return Promise.resolve(
      this.snapshots().filter(
        (s) =>
          s.labels[Label.project] === projectName &&
          (filter.service === undefined || s.labels[Label.service] === filter.service) &&
          (filter.replica === undefined || s.labels[Label.replica] === String(filter.replica)),
      ),
    );
  }

  async *events(projectName: string, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    if (this.away) throw new Error('connect ENOENT');
    yield* this.stream.subscribe(projectName, signal);
  }

  async *logs(
    id: ReplicaId,
    opts: { follow: boolean; tail?: number; sinceS?: number; timestamps: boolean; signal?: AbortSignal },
  ): AsyncIterable<readonly LogLine[]> {
    const b = this.boxes.get(id);
    if (!b) throw new Error(`No such container: ${id}`);
    yield* b.logs.read(opts, () => b.snap.state === 'running');
  }

  exec(
    id: ReplicaId,
    _cmd: readonly string[],
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ExecResult> {
    const b = this.boxes.get(id);
    if (!b || b.snap.state !== 'running') return Promise.reject(new Error(`container ${id} is not running`));
    if (opts?.signal?.aborted) return untilAborted(opts.signal);
    // Unscripted, a command passes when the replica's health check would: a health test run
    // early (the start check) agrees with the scripted health.
    const healthy = b.snap.health === 'none' || b.snap.health === 'healthy';
    const fallback = healthy ? { exitCode: 0, output: '' } : { exitCode: 1, output: 'not ready' };
    return Promise.resolve(this.execScripts.get(id) ?? fallback);
  }

  /** A running replica reads as idle: nothing here uses CPU or memory. */
  stats(id: ReplicaId): Promise<UsageReading> {
    const b = this.boxes.get(id);
    if (!b || b.snap.state !== 'running') return Promise.reject(new Error(`container ${id} is not running`));
    return Promise.resolve({
      cpuTotalNs: 0,
      systemCpuNs: 0,
      onlineCpus: 1,
      memoryBytes: 0,
      memoryLimitBytes: 0,
    });
  }

  // ---- plumbing ----

  private nextRun(b: Box): FakeRun {
    const queue = this.runs.get(b.snap.labels[Label.service] ?? '');
    return (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? {};
  }

  private end(b: Box, exitCode: number): void {
    b.run?.abort();
    b.run = undefined;
    b.snap = {
      ...b.snap,
      state: 'exited',
      exitCode,
      finishedAt: new Date(this.clock.now()).toISOString(),
    };
    b.logs.wake();
  }

  private record(op: FakeRuntimeCall['op'], b: Box): void {
    this.calls.push({
      op,
      service: b.snap.labels[Label.service] ?? '',
      replica: Number(b.snap.labels[Label.replica]),
      id: b.snap.id,
      at: this.clock.now(),
    });
  }

  private send(
    b: Box,
    e:
      | { type: 'create' | 'start' | 'stop' | 'kill' | 'destroy' }
      | { type: 'die'; exitCode: number }
      | { type: 'health'; health: HealthStatus; output?: string },
  ): void {
    const ev = { ...e, id: b.snap.id, labels: b.snap.labels, time: this.clock.now() } as RuntimeEvent;
    this.stream.send(b.snap.labels[Label.project] ?? '', ev);
  }

  private box(id: ReplicaId): Box {
    const b = this.boxes.get(id);
    if (!b) throw new Error(`FakeReplicaRuntime: no replica ${id}`);
    return b;
  }
}

/**
 * The engine publishes a change's events before its API call answers (a stop returns once the
 * container died): an operation of the fake resolves only after its events reached the streams.
 */
function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
