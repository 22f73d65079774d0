import { setImmediate } from 'node:timers';

/** One line of the gateway's access log, shown by the log stream as service `gateway`. */
export interface AccessEntry {
  ts: string;
  method: string;
  path: string;
  status: number;
  service?: string;
  /** Container name of the replica that answered. */
  replica?: string;
  durationMs: number;
  requestId: string;
  traceId: string;
  /** The gateway's span: the parent id the upstream got in `traceparent`. */
  spanId?: string;
  /** The client's span, when it sent a valid `traceparent`. */
  parentSpanId?: string;
  route?: string;
  error?: string;
  /** Why the gateway refused the request itself (`te-and-cl`, `header-timeout`, …). */
  reason?: string;
  /** Retries the gateway made for this request (each to another replica). */
  retries: number;
}

/**
 * Hands entries to the callback in batches after the current I/O turn, so a slow consumer
 * (terminal, file) never runs inside a request's completion. Timestamps are formatted then too.
 */
export class AccessLog {
  private entries: AccessEntry[] = [];
  private times: number[] = [];
  private scheduled = false;

  constructor(
    private readonly onAccess: (e: AccessEntry) => void,
    private readonly now: () => number = Date.now,
  ) {}

  push(e: AccessEntry): void {
    this.entries.push(e);
    this.times.push(this.now());
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const entries = this.entries;
    const times = this.times;
    if (entries.length === 0) return;
    this.entries = [];
    this.times = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e === undefined) continue;
      e.ts = new Date(times[i] ?? this.now()).toISOString();
      try {
        this.onAccess(e);
      } catch {
        // A failing log consumer must not take the proxy down; the entry is dropped.
      }
    }
  };
}

/** One request's access entry, from what the proxy and the upgrade tunnel both know at the end. */
export function logAccess(
  access: AccessLog,
  req: { readonly method?: string | undefined; readonly url?: string | undefined },
  ids: {
    readonly requestId: string;
    readonly traceId: string;
    readonly spanId?: string | undefined;
    readonly parentSpanId?: string | undefined;
  },
  status: number,
  ms: number,
  route: { readonly label: string; readonly service: string } | undefined,
  replica: string | undefined,
  error: string | undefined,
  reason?: string,
  retries = 0,
): void {
  const entry: AccessEntry = {
    ts: '',
    method: req.method ?? '',
    path: req.url ?? '',
    status,
    durationMs: Math.round(ms * 100) / 100,
    requestId: ids.requestId,
    traceId: ids.traceId,
    retries,
  };
  if (ids.spanId !== undefined) entry.spanId = ids.spanId;
  if (ids.parentSpanId !== undefined) entry.parentSpanId = ids.parentSpanId;
  if (route !== undefined) {
    entry.route = route.label;
    entry.service = route.service;
  }
  if (replica !== undefined) entry.replica = replica;
  if (error !== undefined) entry.error = error;
  if (reason !== undefined) entry.reason = reason;
  access.push(entry);
}
