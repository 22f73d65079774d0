import { normalizeTs, type SourcedRecord } from './types.js';

/** The gateway's access entry, as the log stream needs it (structurally the gateway's AccessEntry). */
export interface AccessFacts {
  readonly ts: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly replica?: string;
  readonly durationMs: number;
  readonly requestId: string;
  readonly traceId: string;
  readonly error?: string;
  readonly reason?: string;
  /** Retries the gateway made for the request (route `retries`); absent or 0: none. */
  readonly retries?: number;
}

/**
 * One access line as a record of service `gateway`, in the `key=value` form the correlator reads,
 * so `orch logs --trace ID` finds the gateway's line beside the services' lines.
 */
export function accessRecord(e: AccessFacts): SourcedRecord {
  const err =
    (e.retries ? ` retries=${e.retries}` : '') +
    (e.reason ? ` reason=${e.reason}` : '') +
    (e.error ? ` error=${e.error}` : '');
  return {
    ts: normalizeTs(e.ts),
    service: 'gateway',
    replica: 1,
    stream: 'stdout',
    line: `${e.method} ${e.path} ${e.status} ${e.replica ?? '-'} ${Math.round(e.durationMs)}ms request_id=${e.requestId} trace_id=${e.traceId}${err}`,
    requestId: e.requestId,
    traceId: e.traceId,
    containerId: 'gateway',
  };
}
