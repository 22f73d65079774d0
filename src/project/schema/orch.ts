import { enumOf, num, oneOf, str, strs, type JsonSchema } from './parts.js';

/**
 * orch's own extensions. Strict on purpose (no unknown keys, not even `x-*`): a typo in a probe
 * would otherwise silently leave a service ungated.
 */
function closed(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, ...extra };
}

const port: JsonSchema = oneOf({ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string' });
const count: JsonSchema = oneOf({ type: 'integer', minimum: 0 }, { type: 'string' });
/** `1s`, `250ms`, `1m30s`; a bare number means seconds. */
const duration: JsonSchema = { type: ['string', 'number'] };
const flag: JsonSchema = { type: ['boolean', 'string'] };

const probe = closed({
  http: closed({ path: str, port, status: port }, { required: ['port'] }),
  tcp: closed({ port }, { required: ['port'] }),
  exec: oneOf(str, strs),
  log: str,
  interval: duration,
  timeout: duration,
  retries: count,
  start_period: duration,
});

/** Exactly one target is checked by the normalizer, which can point at the key that is wrong. */
const autoscale = closed(
  {
    min: count,
    max: count,
    target: closed({ inflight_per_replica: num, p95_ms: num, cpu_percent: num }),
    cooldown: duration,
  },
  { required: ['max', 'target'] },
);

/** `x-orch.process` (contract §7): the service runs on the host instead of in a container. */
const process = closed(
  {
    command: oneOf(str, strs),
    cwd: str,
    port,
    reload: enumOf('restart', 'self'),
    shell: str,
  },
  { required: ['command'] },
);

export const orchServiceSchema: JsonSchema = closed({
  probe,
  process,
  restart_on_unhealthy: flag,
  backoff: closed({ initial: duration, max: duration }),
  autoscale,
});

/** A percentage (`20%`); a bare number is a percentage too. */
const percent: JsonSchema = { type: ['string', 'number'] };

const route = closed(
  {
    path: str,
    host: str,
    service: str,
    services: {
      type: 'array',
      minItems: 1,
      // The weight's range is checked after interpolation, with a message about weights.
      items: closed(
        { service: str, weight: { type: ['integer', 'string'] } },
        { required: ['service', 'weight'] },
      ),
    },
    port,
    strip_prefix: flag,
    balance: enumOf('round_robin', 'least_conn', 'random', 'weighted'),
    retries: closed({ attempts: count, per_try_timeout: duration, budget: percent }),
    breaker: closed({
      consecutive_failures: { type: ['integer', 'string'] },
      open_for: duration,
      error_rate: percent,
      min_requests: { type: ['integer', 'string'] },
    }),
  },
  { required: ['port'] },
);

export const SMOKE_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head'] as const;

const smoke = closed({
  name: str,
  ...Object.fromEntries(SMOKE_METHODS.map((m) => [m, str])),
  run: oneOf(str, strs),
  exec: closed({ service: str, command: oneOf(str, strs) }, { required: ['service', 'command'] }),
  expect_status: port,
  expect_body: str,
  expect_json: closed({ path: str, value: {} }, { required: ['path'] }),
  retries: count,
  timeout: duration,
  headers: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  body: oneOf(str, { type: 'object' }, { type: 'array' }),
});

export const orchTopSchema: JsonSchema = closed({
  gateway: closed({
    port,
    host: str,
    timeout: duration,
    header_timeout: duration,
    max_headers: count,
    max_connections: count,
    routes: { type: 'array', items: route },
  }),
  smoke: { type: 'array', items: smoke },
  templates: str,
  watch: flag,
  dashboard: closed({ port }),
  telemetry: closed({ otlp: str }),
});
