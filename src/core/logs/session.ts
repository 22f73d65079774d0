import type { Clock } from '../ports.js';
import { captureProject, listSources, readHistoric, type LogsFrom, type StartFeed } from './capture.js';
import { runtimeStarts } from './starts.js';
import type { ReplicaReader } from '../runtime/all-replicas.js';
import { LiveOrderer, defaultLiveOrder, type LiveOrderOptions } from './order.js';
import { mergeSorted } from './order.js';
import { applyQuery, lineKey, recordFilter, tailPerReplica, type LogQuery } from './query.js';
import type { LogStore } from './store.js';
import { tsSeconds, type LogRecord, type SourcedRecord } from './types.js';

export interface LogsDeps {
  /** The project's replicas on every runtime (`allReplicas`). */
  readonly replicas: ReplicaReader;
  readonly clock: Clock;
  /** The project's on-disk store: what is read from the engine is added to it; `--trace` reads it. */
  readonly store?: LogStore;
  /** A store write failed: `orch logs` still prints. */
  readonly onStoreError?: (err: unknown) => void;
}

export interface LogsRequest extends LogQuery {
  readonly project: string;
}

export interface HistoricResult {
  /** In ts order. */
  readonly records: readonly LogRecord[];
  /** Per container read: the ts of its last line (where a follow resumes). */
  readonly lastTs: ReadonlyMap<string, string>;
  readonly sources: readonly { readonly service: string; readonly replica: number }[];
  /** Settles when what was read is in the store (await it before exiting). */
  readonly stored: Promise<void>;
}

/**
 * Historic logs of every replica (running or exited) from the engine, filtered and merged in ts
 * order; with `traceId`, plus the matching lines of the store (containers since removed), deduped.
 */
export async function readLogs(deps: LogsDeps, req: LogsRequest): Promise<HistoricResult> {
  const sources = await listSources(deps.replicas, req);
  // The engine applies --tail only when nothing else filters; else the tail is of the matches.
  const filtered = req.grep !== undefined || req.traceId !== undefined;
  const from: LogsFrom = {
    ...(req.tail !== undefined && !filtered ? { tail: req.tail } : {}),
    ...(req.sinceTs !== undefined ? { sinceS: tsSeconds(req.sinceTs) } : {}),
  };
  // The services were chosen when listing the sources: what is left to check per line.
  const q: LogQuery = {
    ...(req.sinceTs !== undefined ? { sinceTs: req.sinceTs } : {}),
    ...(req.grep !== undefined ? { grep: req.grep } : {}),
    ...(req.traceId !== undefined ? { traceId: req.traceId } : {}),
    ...(filtered && req.tail !== undefined ? { tail: req.tail } : {}),
  };
  // One array per container, each in ts order.
  const perSource = await readHistoric(deps.replicas, sources, from);
  // Storing is for later (post-mortems, --trace): it runs while the lines are printed, except
  // when this very read is a --trace that must also see what the store holds.
  const stored = deps.store
    ? deps.store.append(perSource, { sorted: true }).catch((e: unknown) => deps.onStoreError?.(e))
    : Promise.resolve();
  if (req.traceId !== undefined) await stored;

  const lastTs = new Map<string, string>();
  sources.forEach((s, i) => {
    const list = perSource[i];
    const last = list?.[list.length - 1];
    if (last) lastTs.set(s.containerId, last.ts);
  });
  const kept = perSource.map((list) => applyQuery(list, q));
  let records: readonly LogRecord[] = mergeSorted(kept, true);
  if (req.traceId !== undefined && deps.store) records = await withStored(deps.store, req, records);
  return { records, lastTs, sources, stored };
}

async function withStored(
  store: LogStore,
  req: LogsRequest,
  fromEngine: readonly LogRecord[],
): Promise<readonly LogRecord[]> {
  const id = req.traceId as string;
  const keep = recordFilter(req);
  const seen = new Set(fromEngine.map(lineKey));
  const stored = (await store.readContaining(id)).filter(
    (r) => (keep ? keep(r) : true) && !seen.has(lineKey(r)),
  );
  if (stored.length === 0) return fromEngine;
  // The store's files hold lines from several runs and replicas: sort them, then merge.
  const merged = mergeSorted([fromEngine, mergeSorted([stored])]);
  const deduped: LogRecord[] = [];
  const again = new Set<string>();
  for (const r of merged) {
    const k = lineKey(r);
    if (again.has(k)) continue;
    again.add(k);
    deduped.push(r);
  }
  return req.tail !== undefined ? tailPerReplica(deduped, req.tail) : deduped;
}

export interface FollowOptions {
  readonly signal: AbortSignal;
  /** Historic lines, in ts order, before any live one. */
  readonly onHistoric: (
    records: readonly LogRecord[],
    sources: HistoricResult['sources'],
  ) => void | Promise<void>;
  /** Live lines, in batches in ts order (within the ordering window). */
  readonly onLive: (records: readonly LogRecord[]) => void;
  readonly order?: LiveOrderOptions;
  /** How often buffered live lines are stored. */
  readonly storeEveryMs?: number;
  /**
   * Where live capture hears of replica starts: a running stack's tracker (`trackerStarts`), so
   * the stack keeps one event stream; without it, the runtimes' own (`runtimeStarts`).
   */
  readonly starts?: StartFeed;
}

/**
 * `orch logs -f`: the historic part (per `--tail`/`--since`) fully sorted, then every replica
 * followed live (new and restarted containers included, through an engine restart too) through
 * the ordering window, until the signal aborts. Each container resumes right after the last line
 * the historic part read.
 */
export async function followLogs(deps: LogsDeps, req: LogsRequest, opts: FollowOptions): Promise<void> {
  const startedS = Math.floor(deps.clock.now() / 1000) - 1;
  const historic = await readLogs(deps, req);
  await opts.onHistoric(historic.records, historic.sources);
  await historic.stored;
  const keep = recordFilter(req);
  const orderer = new LiveOrderer<LogRecord>(
    deps.clock,
    opts.onLive,
    opts.order ?? defaultLiveOrder,
    opts.signal,
  );
  let pending: SourcedRecord[] = [];
  const store = deps.store;
  const storeTimer = store
    ? setIntervalOnClock(deps.clock, opts.storeEveryMs ?? 1000, opts.signal, () => {
        const batch = pending;
        pending = [];
        if (batch.length > 0) void store.append([batch]).catch((e: unknown) => deps.onStoreError?.(e));
      })
    : Promise.resolve();
  await captureProject(deps.replicas, {
    project: req.project,
    ...(req.services ? { services: req.services } : {}),
    signal: opts.signal,
    starts: opts.starts ?? runtimeStarts(deps.replicas, req.project, deps.clock),
    initialFrom: (src) => {
      const last = historic.lastTs.get(src.containerId);
      // A container that had printed nothing yet: from when the historic read began.
      return last !== undefined ? { sinceS: tsSeconds(last), afterTs: last } : { sinceS: startedS };
    },
    onRecord: (r) => {
      if (store) pending.push(r);
      if (!keep || keep(r)) orderer.push(r);
    },
  });
  orderer.close();
  await storeTimer;
  if (store && pending.length > 0)
    await store.append([pending]).catch((e: unknown) => deps.onStoreError?.(e));
}

async function setIntervalOnClock(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  tick: () => void,
): Promise<void> {
  for (;;) {
    try {
      await clock.sleep(ms, signal);
    } catch {
      return;
    }
    tick();
  }
}
