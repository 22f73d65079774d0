import type { AccessEntry } from '../adapters/gateway/index.js';
import type { MetricsSources, OrchMetrics } from '../adapters/metrics/registry.js';
import type { GatewaySpans } from '../adapters/metrics/otlp.js';
import type { OrchEvent } from '../model/events.js';
import type { Project } from '../model/project.js';

/** The running stack's metrics and traces: fed by the access entries and the event stream. */
export interface StackTelemetry {
  access(e: AccessEntry): void;
  event(e: OrchEvent): void;
  /** The Prometheus text of /metrics. */
  metrics(): Promise<{ contentType: string; text: string }>;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the gateway's spans go, if anywhere: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else
 * OTEL_EXPORTER_OTLP_ENDPOINT or `x-orch.telemetry.otlp` (a base URL) plus `/v1/traces`, as the
 * OpenTelemetry SDKs read them. The environment wins over the file, so one run can be pointed
 * elsewhere without an edit.
 */
export function otlpTracesUrl(project: Project, env: Env): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] || project.orch.telemetry?.otlp;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** What arrives before the libraries are loaded; bounded, as it only spans the first moments. */
const EARLY_LIMIT = 10_000;

/**
 * Metrics and (when configured) OTLP traces for a stack. prom-client and the OpenTelemetry exporter
 * are loaded in the background (together ~0.6 s of module loading here, which `orch up` should
 * not wait for): what arrives meanwhile is kept and counted once they are there.
 */
export function startTelemetry(parts: {
  readonly project: Project;
  readonly sources: MetricsSources;
  readonly env: Env;
  readonly warn: (line: string) => void;
}): StackTelemetry {
  const url = otlpTracesUrl(parts.project, parts.env);
  let metrics: OrchMetrics | undefined;
  let spans: GatewaySpans | undefined;
  type Early = { access: AccessEntry } | { event: OrchEvent };
  let early: Early[] | undefined = [];
  const keep = (item: Early): void => {
    if (early && early.length < EARLY_LIMIT) early.push(item);
  };
  const access = (m: OrchMetrics, e: AccessEntry): void => {
    m.observe(e);
    spans?.record(e);
  };
  const ready = (async () => {
    const m = new (await import('../adapters/metrics/registry.js')).OrchMetrics(parts.sources);
    spans = url
      ? (await import('../adapters/metrics/otlp.js')).otlpSpans({
          url,
          project: parts.project.name,
          dropped: (n) => m.spansDropped(n),
          warn: parts.warn,
        })
      : undefined;
    for (const item of early ?? [])
      if ('access' in item) access(m, item.access);
      else m.onEvent(item.event);
    early = undefined;
    metrics = m;
  })();
  // Reported by metrics() when asked; never an unhandled rejection that ends the stack.
  ready.catch(() => undefined);
  return {
    // Once loaded, an entry goes straight in: nothing is wrapped or queued per request.
    access: (e) => (metrics ? access(metrics, e) : keep({ access: e })),
    event: (e) => (metrics ? metrics.onEvent(e) : keep({ event: e })),
    async metrics() {
      await ready;
      const m = metrics as OrchMetrics;
      return { contentType: m.contentType, text: await m.text() };
    },
    async close() {
      await ready.catch(() => undefined);
      await spans?.close();
    },
  };
}
