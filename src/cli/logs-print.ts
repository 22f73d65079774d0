import type { ChalkInstance } from 'chalk';
import type { Project } from '../model/project.js';
import type { Clock } from '../core/ports.js';
import type { Runtimes } from '../core/runtime/port.js';
import { allReplicas } from '../core/runtime/all-replicas.js';
import { LogStore } from '../core/logs/store.js';
import { withIds } from '../core/logs/query.js';
import { readLogs, type LogsDeps, type LogsRequest } from '../core/logs/session.js';
import type { LogRecord } from '../core/logs/types.js';
import { fsLogStore, logStoreDir } from '../adapters/log-store-fs.js';
import { jsonLogLine, LineFormatter, LineWriter } from '../ui/log-view.js';

/** What `orch logs` reads with: the replicas' runtimes, and the project's on-disk store it adds to. */
export function logsDeps(
  project: Project,
  engine: { readonly runtimes: Runtimes; readonly clock: Clock },
  say: (text: string) => void,
): LogsDeps {
  return {
    replicas: allReplicas(engine.runtimes),
    clock: engine.clock,
    store: new LogStore(fsLogStore(logStoreDir(project.projectDir, project.name))),
    onStoreError: (e: unknown) => say(`orch: log store: ${String(e)}`),
  };
}

export interface LogsFormat {
  /** One JSON object per line (`--json`), else `service-N | line`. */
  readonly json: boolean;
  readonly style: ChalkInstance;
  readonly timestamps: boolean;
}

/** A formatter for the replicas a read found (every prefix is padded to the widest). */
export function logsFormatter(
  fmt: LogsFormat,
  replicas: readonly { service: string; replica: number }[],
): (r: LogRecord) => string {
  if (fmt.json) return (r) => jsonLogLine(withIds(r));
  const f = new LineFormatter({ style: fmt.style, timestamps: fmt.timestamps, replicas });
  return (r) => f.format(r);
}

/**
 * `orch logs` without --follow: everything is read first, then printed, then stored. Only the read
 * can fail (the writer drops output to a closed stream, store errors are said and not thrown), so
 * nothing is printed when this rejects: the fast path relies on it to hand over to oclif.
 */
export async function printLogs(
  deps: LogsDeps,
  req: LogsRequest,
  fmt: LogsFormat,
  out: NodeJS.WritableStream,
): Promise<void> {
  const result = await readLogs(deps, req);
  await new LineWriter(out).writeAll(result.records, logsFormatter(fmt, result.sources));
  await result.stored;
}
