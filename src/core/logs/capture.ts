import { Label } from '../../model/labels.js';
import type { LogLine } from '../ports.js';
import type { ReplicaReader } from '../runtime/all-replicas.js';
import type { ReplicaId, ReplicaSnapshot } from '../runtime/port.js';
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
export async function listSources(
  replicas: Pick<ReplicaReader, 'list'>,
  sel: Selection,
): Promise<LogSource[]> {
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
  replicas: Pick<ReplicaReader, 'logs'>,
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

/** What capture reads: the replicas and their logs (events come through `CaptureOptions.starts`). */
export type CaptureReader = Pick<ReplicaReader, 'list' | 'logs'>;

/** A replica that (re)started: its id and orch's labels. */
export interface ReplicaStart {
  readonly id: ReplicaId;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Tells `onStart` of every replica start of the project until the returned function is called.
 * In the supervisor, the replica tracker's (the stack's one event stream, reconnecting after an
 * engine restart); elsewhere the runtimes' own (see starts.ts). A start told twice is harmless, a
 * missed one is not.
 */
export type StartFeed = (onStart: (s: ReplicaStart) => void) => () => void;

export interface CaptureOptions extends Selection {
  readonly signal: AbortSignal;
  readonly starts: StartFeed;
  readonly onRecord: (r: SourcedRecord) => void;
  /**
   * Where to begin a replica capture has read nothing of yet (those that exist when it starts,
   * and any it first hears of from a start). Default: its whole log.
   */
  readonly initialFrom?: (src: LogSource) => LogsFrom;
  /**
   * A replica's stream failed (not by abort), or (no `src`) the first listing did, the engine
   * going away just then: capture goes on, with what the starts feed reports once it is back.
   */
  readonly onError?: (err: unknown, src?: LogSource) => void;
}

interface Attachment {
  restartPending: boolean;
}

/**
 * Follows every replica of a project until `signal` aborts, picking up replicas that start later
 * (new replicas, recreated containers) and re-attaching to a restarted one. Per replica a
 * high-water mark of the last ts emitted keeps a re-attach from repeating lines; it reads from
 * that mark on, so nothing written between the start and the attach is lost either.
 */
export async function captureProject(replicas: CaptureReader, opts: CaptureOptions): Promise<void> {
  const { signal } = opts;
  if (signal.aborted) return;
  const attached = new Map<string, Attachment>();
  const lastTs = new Map<string, string>();
  /** Where a replica's first attach began: a re-attach before any line came starts there again. */
  const firstFrom = new Map<string, LogsFrom>();
  const tasks = new Set<Promise<void>>();

  const resume = (src: LogSource): LogsFrom => {
    const mark = lastTs.get(src.containerId);
    if (mark !== undefined) return { sinceS: tsSeconds(mark), afterTs: mark };
    // Nothing emitted yet: as the first attach did, or where a replica new to capture begins.
    return firstFrom.get(src.containerId) ?? opts.initialFrom?.(src) ?? {};
  };

  const follow = (src: LogSource, from: LogsFrom): void => {
    const current = attached.get(src.containerId);
    if (current) {
      // The old stream may not have ended yet when the start is reported: re-attach after it.
      current.restartPending = true;
      return;
    }
    if (!firstFrom.has(src.containerId)) firstFrom.set(src.containerId, from);
    if (from.afterTs !== undefined && !lastTs.has(src.containerId)) lastTs.set(src.containerId, from.afterTs);
    const state: Attachment = { restartPending: false };
    attached.set(src.containerId, state);
    const task = (async () => {
      let next: LogsFrom = from;
      for (;;) {
        const mark = lastTs.get(src.containerId);
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
        next = resume(src);
      }
      attached.delete(src.containerId);
    })();
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };

  // Subscribe before listing, so a replica starting in between is not missed.
  const unsubscribe = opts.starts((s) => {
    if (signal.aborted) return;
    const src = sourceFromLabels(s.id, s.labels, opts);
    if (src) follow(src, resume(src));
  });

  try {
    const listed = await listSources(replicas, opts).catch((err: unknown) => {
      if (!signal.aborted) opts.onError?.(err);
      return [];
    });
    for (const src of listed) follow(src, resume(src));
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    unsubscribe();
  }
  await Promise.allSettled([...tasks]);
}
