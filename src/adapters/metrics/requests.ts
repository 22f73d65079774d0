import type { AccessEntry } from '../gateway/access.js';

/** Latency buckets in seconds: a local stack answers in 1 ms to a few seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `code_class` by the status's hundreds; index 0 for no answer (status 0 or out of range). */
const CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** One route and replica: plain numbers, turned into prom-client's values only when scraped. */
interface Series {
  readonly labels: { route: string; service: string; replica: string };
  readonly codes: number[];
  /** Observations per bucket (not cumulative); the last is past the largest bound. */
  readonly buckets: number[];
  sum: number;
  count: number;
  retries: number;
}

/** One family's figures, in the shape prom-client's metrics return from `get()`. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

/**
 * The gateway's per-request series (orch_gateway_requests_total, _request_duration_seconds,
 * _retries_total), counted here as plain numbers and handed to prom-client as values when scraped
 * (prom-client still writes the text format), rather than through its Counter and Histogram: those
 * build and hash a label string on every inc() and observe(), even through a bound child, ~1 µs of
 * the ~2 µs that metrics cost each request (measured with bench/gateway's telemetry-path figure).
 */
export class RequestSeries {
  /** Route → container name → its series; `series` lists them all in the order first seen. */
  private readonly byRoute = new Map<string, Map<string, Series>>();
  private readonly series: Series[] = [];

  /** `replicaLabel` turns the entry's container name into the `replica` label. */
  constructor(private readonly replicaLabel: (container: string) => string) {}

  observe(e: AccessEntry): void {
    const route = e.route ?? '';
    const service = e.service ?? '';
    const container = e.replica ?? '';
    // Two lookups by strings the entry already holds rather than one by a key built per request
    // (an allocation per request on the gateway's batch); a container belongs to one service.
    let byContainer = this.byRoute.get(route);
    if (byContainer === undefined) this.byRoute.set(route, (byContainer = new Map()));
    let s = byContainer.get(container);
    if (s === undefined) {
      s = {
        labels: { route, service, replica: this.replicaLabel(container) },
        codes: CLASSES.map(() => 0),
        buckets: [...LATENCY_BUCKETS.map(() => 0), 0],
        sum: 0,
        count: 0,
        retries: 0,
      };
      byContainer.set(container, s);
      this.series.push(s);
    }
    const st = e.status;
    (s.codes[st >= 100 && st < 600 ? Math.floor(st / 100) : 0] as number)++;
    const seconds = e.durationMs / 1000;
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[b] as number)) b++;
    (s.buckets[b] as number)++;
    s.sum += seconds;
    s.count++;
    if (e.retries > 0) s.retries += e.retries;
  }

  /**
   * The three families as prom-client metrics (each `get()` reads the numbers as they are then), to
   * register in a prom-client Registry, which writes them out with the rest.
   */
  metrics(): { readonly name: string; get(): Promise<Family> }[] {
    const family = (name: string, help: string, type: Family['type'], fill: (f: Family) => void) => ({
      name,
      type,
      help,
      aggregator: 'sum' as const,
      collect: () => undefined,
      get: (): Promise<Family> => {
        const f: Family = { name, help, type, aggregator: 'sum', values: [] };
        fill(f);
        return Promise.resolve(f);
      },
    });
    return [
      family(
        'orch_gateway_requests_total',
        'Requests through the gateway, by route, replica and status class (1xx…5xx; "none" when no answer)',
        'counter',
        (f) => {
          for (const s of this.series)
            s.codes.forEach((value, i) => {
              if (value > 0)
                f.values.push({ labels: { ...s.labels, code_class: CLASSES[i] as string }, value });
            });
        },
      ),
      family(
        'orch_gateway_request_duration_seconds',
        'Time from the request to the end of the response, by route and replica',
        'histogram',
        (f) => {
          const name = 'orch_gateway_request_duration_seconds';
          for (const s of this.series) {
            let upTo = 0;
            LATENCY_BUCKETS.forEach((le, i) => {
              upTo += s.buckets[i] as number;
              f.values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: upTo });
            });
            f.values.push(
              { metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count },
              { metricName: `${name}_sum`, labels: s.labels, value: s.sum },
              { metricName: `${name}_count`, labels: s.labels, value: s.count },
            );
          }
        },
      ),
      family(
        'orch_gateway_retries_total',
        'Extra attempts the gateway made for requests, by route and the replica that answered',
        'counter',
        (f) => {
          for (const s of this.series) f.values.push({ labels: s.labels, value: s.retries });
        },
      ),
    ];
  }
}
