import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerHealthcheck } from '../../core/ports.js';
import type { ProcessIdentity } from './proc.js';

/**
 * What orch keeps on disk per replica of a host process, so that another orch (a new supervisor,
 * `orch ps`, `orch down`) finds it: `<project dir>/.orch/<project>/processes/<id>.json`, beside
 * `<id>.log` (its output, stamped by the shim) and `<id>.exit` (how its last run ended).
 */
export interface ProcessRecord {
  readonly v: 1;
  readonly id: string;
  readonly project: string;
  readonly service: string;
  readonly replica: number;
  readonly name: string;
  /** The command line as written, for `ps` (a container's image column). */
  readonly display: string;
  readonly form: 'shell' | 'exec';
  /** What the shim runs: the shell and its `-c` for a string command. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stopSignal: string;
  /** orch's labels (contract §4) and the service's own, as on a container. */
  readonly labels: Readonly<Record<string, string>>;
  readonly port?: { readonly containerPort: number; readonly hostPort: number };
  readonly healthcheck?: DockerHealthcheck;
  readonly createdAt: string;
  /** The current run: the shim that leads the process group. */
  readonly run?: ProcessIdentity & { readonly startedAt: string };
}

/** How a run ended, written by the shim (or by orch when the shim itself was killed). */
export interface ExitRecord {
  readonly exitCode: number;
  readonly signal: string | null;
  readonly finishedAt: string;
}

/** A replica that is not there (any more): the engine's 404 for a container. */
export class ProcessNotFoundError extends Error {
  readonly statusCode = 404;
  constructor(id: string) {
    super(`no such host process: ${id}`);
    this.name = 'ProcessNotFoundError';
  }
}

export class ProcessStore {
  private portWrites: Promise<unknown> = Promise.resolve();

  constructor(
    /** The project's `processes/` directory. */
    readonly dir: string,
  ) {}

  static newId(): string {
    return `proc-${randomBytes(6).toString('hex')}`;
  }

  file(id: string, ext: 'json' | 'log' | 'exit'): string {
    return join(this.dir, `${id}.${ext}`);
  }

  async write(rec: ProcessRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Written whole and renamed: the shim and other orch processes read it at any moment. 0600:
    // it holds the service's environment.
    const tmp = `${this.file(rec.id, 'json')}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(rec), { mode: 0o600 });
    await rename(tmp, this.file(rec.id, 'json'));
  }

  async read(id: string): Promise<ProcessRecord | undefined> {
    if (!/^proc-[0-9a-f]+$/.test(id)) return undefined;
    return readJson<ProcessRecord>(this.file(id, 'json'));
  }

  async all(): Promise<ProcessRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const ids = names
      .filter((n) => n.startsWith('proc-') && n.endsWith('.json'))
      .map((n) => n.slice(0, -'.json'.length));
    const recs = await Promise.all(ids.map((id) => this.read(id)));
    return recs.filter((r): r is ProcessRecord => r !== undefined);
  }

  readExit(id: string): Promise<ExitRecord | undefined> {
    return readJson<ExitRecord>(this.file(id, 'exit'));
  }

  async writeExit(id: string, exit: ExitRecord): Promise<void> {
    const tmp = `${this.file(id, 'exit')}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(exit));
    await rename(tmp, this.file(id, 'exit'));
  }

  async clearExit(id: string): Promise<void> {
    await rm(this.file(id, 'exit'), { force: true });
  }

  /**
   * The port each replica (`service/replica`) last had or was promised, so a replica keeps its
   * port across recreation and containers can be told it before it exists (ORCH_<SERVICE>_URL).
   */
  async ports(): Promise<Record<string, number>> {
    return (await readJson<Record<string, number>>(join(this.dir, 'ports.json'))) ?? {};
  }

  /** Call only inside `exclusive`: a read-modify-write. */
  async setPort(key: string, port: number): Promise<void> {
    const all = await this.ports();
    if (all[key] === port) return;
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, 'ports.json');
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify({ ...all, [key]: port }));
    await rename(tmp, file);
  }

  /**
   * Runs port decisions one at a time: replicas are made together, and a container may ask for a
   * replica's port while that replica is being made; both must settle on the same port.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.portWrites.then(fn, fn);
    this.portWrites = next.catch(() => undefined);
    return next;
  }

  /** Forgets the replica; its log goes too, as a removed container's does. */
  async remove(id: string): Promise<void> {
    await Promise.all((['json', 'exit', 'log'] as const).map((e) => rm(this.file(id, e), { force: true })));
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A project's `processes/` directory, inside its state directory (see control/paths.ts `stateDir`). */
export function processesDir(projectDir: string, projectName: string): string {
  return join(projectDir, '.orch', projectName, 'processes');
}
