import { Label } from '../../model/labels.js';
import type { LogLine } from '../ports.js';
import type { ReplicaReader } from '../runtime/all-replicas.js';
import type { ReplicaSnapshot } from '../runtime/port.js';
import { sortByTs } from './order.js';
import { normalizeTs, tsSeconds, type LogSource, type SourcedRecord } from './types.js';

export interface Selection {
  readonly project: string;
  /** Only these services; empty or absent: all. */
  readonly services?: readonly string[];
}

/** Where to start reading a container's log. `afterTs`: skip lines stamped at or before it. */
export interface LogsFrom {
  readonly tail?: number;
  readonly sinceS?: number;
  readonly afterTs?: string;
}

function sourceFromLabels(
  id: string,
  labels: Readonly<Record<string, string>>,
  sel: Selection,
): LogSource | undefined {
  const service = labels[Label.service];
  if (service === undefined) return undefined;
  if (sel.services && sel.services.length > 0 && !sel.services.includes(service)) return undefined;
  return { containerId: id, service, replica: Number(labels[Label.replica] ?? '1') || 1 };
}

/** Every replica of the project (running or exited), in service, replica, creation order. */
export async function listSources(replicas: ReplicaReader, sel: Selection): Promise<LogSource[]> {
  const cs = await replicas.list(sel.project);
  const created = new Map<string, string>(cs.map((c: ReplicaSnapshot) => [c.id, c.createdAt]));
  return cs
    .map((c) => sourceFromLabels(c.id, c.labels, sel))
    .filter((s): s is LogSource => s !== undefined)
    .sort((a, b) =>
      a.service !== b.service
        ? a.service < b.service
          ? -1
          : 1
        : a.replica !== b.replica
          ? a.replica - b.replica
          : (created.get(a.containerId) ?? '').localeCompare(created.get(b.containerId) ?? ''),
    );
}

function toRecord(src: LogSource, l: LogLine): SourcedRecord {
  return {
    ts: normalizeTs(l.ts),
    service: src.service,
    replica: src.replica,
    stream: l.stream,
    line: l.line,
    containerId: src.containerId,
  };
}

/**
 * The whole (or `--tail`/`--since`-limited) log of each source, one array per source, in source
 * order, each in ts order: the engine's order, which is that already but for the rare stdout and
 * stderr lines stamped out of order (then the array is stable-sorted). Checked as lines arrive.
 */
export async function readHistoric(
  replicas: ReplicaReader,
  sources: readonly LogSource[],
  from: LogsFrom,
  signal?: AbortSignal,
): Promise<SourcedRecord[][]> {
  return Promise.all(
    sources.map(async (src) => {
      const out: SourcedRecord[] = [];
      const after = from.afterTs;
      let sorted = true;
      let prev = '';
      for await (const batch of replicas.logs(src.containerId, logsOpts(from, false, signal))) {
        for (const l of batch) {
          const r = toRecord(src, l);
          if (after !== undefined && r.ts <= after) continue;
          if (sorted && r.ts < prev) sorted = false;
          prev = r.ts;
          out.push(r);
        }
      }
      return sorted ? out : sortByTs(out);
    }),
  );
}

function logsOpts(from: LogsFrom, follow: boolean, signal: AbortSignal | undefined) {
  return {
    follow,
    timestamps: true,
    ...(from.tail === undefined ? {} : { tail: from.tail }),
    ...(from.sinceS === undefined ? {} : { sinceS: from.sinceS }),
    ...(signal === undefined ? {} : { signal }),
  };
}

export interface CaptureOptions extends Selection {
  readonly signal: AbortSignal;
  readonly onRecord: (r: SourcedRecord) => void;
  /** Where to begin for containers that exist when capture starts. Default: their whole log. */
  readonly initialFrom?: (src: LogSource) => LogsFrom;
  /** A container's stream failed (not by abort); capture goes on with the others. */
  readonly onError?: (err: unknown, src: LogSource) => void;
}

interface Attachment {
  restartPending: boolean;
}

/**
 * Follows every replica of a project until `signal` aborts, picking up containers that start
 * later (new replicas, recreated containers) and re-attaching to a restarted one. Per container id
 * a high-water mark of the last ts emitted keeps a re-attach from repeating lines.
 */
export async function captureProject(replicas: ReplicaReader, opts: CaptureOptions): Promise<void> {
  const { signal } = opts;
  if (signal.aborted) return;
  const attached = new Map<string, Attachment>();
  const lastTs = new Map<string, string>();
  const tasks = new Set<Promise<void>>();

  const follow = (src: LogSource, from: LogsFrom): void => {
    const current = attached.get(src.containerId);
    if (current) {
      // The old stream may not have ended yet when the start event arrives: re-attach after it.
      current.restartPending = true;
      return;
    }
    const state: Attachment = { restartPending: false };
    attached.set(src.containerId, state);
    const task = (async () => {
      let next: LogsFrom = from;
      for (;;) {
        const mark = next.afterTs ?? lastTs.get(src.containerId);
        try {
          for await (const batch of replicas.logs(src.containerId, logsOpts(next, true, signal))) {
            let last: string | undefined;
            for (const l of batch) {
              const r = toRecord(src, l);
              if (mark !== undefined && r.ts <= mark) continue;
              last = r.ts;
              opts.onRecord(r);
            }
            if (last !== undefined) lastTs.set(src.containerId, last);
          }
        } catch (err) {
          if (!signal.aborted) opts.onError?.(err, src);
        }
        if (signal.aborted || !state.restartPending) break;
        state.restartPending = false;
        next = resumeFrom(lastTs.get(src.containerId) ?? mark, undefined);
      }
      attached.delete(src.containerId);
    })();
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };

  // Subscribe before listing, so a container starting in between is not missed.
  const events = (async () => {
    try {
      for await (const ev of replicas.events(opts.project, signal)) {
        if (ev.type !== 'start') continue;
        const src = sourceFromLabels(ev.id, ev.labels, opts);
        if (src) follow(src, resumeFrom(lastTs.get(ev.id), ev.time));
      }
    } catch {
      // The event stream ends with the session; a broken one only stops the pick-up of new containers.
    }
  })();

  for (const src of await listSources(replicas, opts)) follow(src, opts.initialFrom?.(src) ?? {});

  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.allSettled([events, ...tasks]);
}

/** After the mark if there is one; else from a second before the container started. */
function resumeFrom(mark: string | undefined, startedAtMs: number | undefined): LogsFrom {
  if (mark !== undefined) return { sinceS: tsSeconds(mark), afterTs: mark };
  if (startedAtMs !== undefined) return { sinceS: Math.floor(startedAtMs / 1000) - 1 };
  return {};
}
