import {
  createOtlpHttpExportDelegate,
  convertLegacyHttpOptions,
} from '@opentelemetry/otlp-exporter-base/node-http';
import type { AccessEntry } from '../gateway/access.js';
import { otlpJson } from './otlp-json.js';

/** One span per gateway request, exported in the background. */
export interface GatewaySpans {
  record(e: AccessEntry): void;
  /** Exports what is queued (bounded by the exporter's timeout), then stops. */
  close(): Promise<void>;
}

export interface OtlpOptions {
  /** The traces URL (`…/v1/traces`). */
  readonly url: string;
  readonly project: string;
  /** Spans that will never reach the collector: its errors, or a full queue. */
  readonly dropped: (n: number) => void;
  /** Told once, the first time spans are dropped. */
  readonly warn: (line: string) => void;
  readonly maxQueueSize?: number;
  readonly scheduledDelayMillis?: number;
  readonly timeoutMillis?: number;
}

/** `result.code` of a failed export (ExportResultCode.FAILED in @opentelemetry/core). */
const FAILED = 1;
/**
 * Spans per export request (~1.3 MB of JSON). Each request costs the gateway ~0.5 ms of CPU in
 * Node's HTTP client whatever its size, so fewer, larger ones (the SDK's batch processor sends
 * 512) keep that under 0.3 µs per span.
 */
const BATCH = 2048;

/**
 * The gateway's spans over OTLP/HTTP (JSON): `record` only queues the access entry (it is the
 * span's record already), and the queue leaves on a timer, or as soon as a batch is full, through
 * the OpenTelemetry exporter's HTTP delegate (its retries, and the headers and compression
 * the OTEL_EXPORTER_OTLP_* variables set). So a slow or dead collector never holds a
 * request. A full queue or a failed export drops spans; each is counted through `dropped`, and
 * the first drop prints one warning line.
 *
 * The spans are written as OTLP JSON straight from the entries (otlpJson), not made as SDK span
 * objects for the SDK's serializer: that path cost ~10 µs per request (a ReadableSpan, then the
 * serializer's intermediate objects, JSON.stringify and encoding), on a gateway that spends ~50 µs
 * of CPU on one.
 */
export function otlpSpans(opts: OtlpOptions): GatewaySpans {
  const maxQueueSize = opts.maxQueueSize ?? 4 * BATCH;
  const timeoutMillis = opts.timeoutMillis ?? 10_000;
  const source = { project: opts.project };
  let queue: AccessEntry[] = [];
  let soon = false;
  let warned = false;
  const drop = (n: number, why: string): void => {
    opts.dropped(n);
    if (warned) return;
    warned = true;
    opts.warn(
      `orch: OTLP export to ${opts.url} failed (${why}); dropping gateway spans (counted in orch_otlp_spans_dropped_total)`,
    );
  };
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({ url: opts.url, timeoutMillis }, 'TRACES', 'v1/traces', {
      'Content-Type': 'application/json',
    }),
    {
      serializeRequest: (entries: AccessEntry[]) => otlpJson(entries, source),
      // Only its partialSuccess is read, to log rejected spans.
      deserializeResponse: (data: Uint8Array): unknown => JSON.parse(Buffer.from(data).toString('utf8')),
    },
    'otlp_http_span_exporter',
    { name: 'span', countItems: (entries: AccessEntry[]) => entries.length },
    undefined,
  );
  // At most this many export requests at once; the rest waits in the queue (the exporter itself
  // would fail the ones past its own limit, and a slow collector must show as a full queue).
  const MAX_IN_FLIGHT = 2;
  let inFlight = 0;
  let closing = false;
  const flush = (): void => {
    soon = false;
    while (queue.length > 0 && inFlight < MAX_IN_FLIGHT) {
      const batch = queue.length <= BATCH ? queue : queue.slice(0, BATCH);
      queue = batch === queue ? [] : queue.slice(BATCH);
      inFlight++;
      delegate.export(batch, (result) => {
        inFlight--;
        if (result.code === FAILED) drop(batch.length, result.error?.message ?? 'the collector refused them');
        if (queue.length >= BATCH || closing) flush();
      });
    }
  };
  const timer = setInterval(flush, opts.scheduledDelayMillis ?? 1000).unref();

  return {
    record(e) {
      // Refusals before routing have no trace (the client got no traceparent upstream).
      if (e.traceId === '' || e.spanId === undefined) return;
      if (queue.length >= maxQueueSize) return drop(1, 'the export queue is full');
      queue.push(e);
      if (queue.length >= BATCH && !soon) {
        soon = true;
        setImmediate(flush);
      }
    },
    async close() {
      clearInterval(timer);
      closing = true;
      flush();
      // A dead collector must not hold `orch down`: what is not out in 2 s is lost.
      let wait: NodeJS.Timeout | undefined;
      let gaveUp = false;
      const drained = async (): Promise<void> => {
        while (!gaveUp && (queue.length > 0 || inFlight > 0)) await new Promise((r) => setTimeout(r, 10));
        await delegate.shutdown();
      };
      await Promise.race([
        drained().catch(() => undefined),
        new Promise<void>((r) => (wait = setTimeout(r, 2000))),
      ]);
      gaveUp = true;
      clearTimeout(wait);
    },
  };
}
