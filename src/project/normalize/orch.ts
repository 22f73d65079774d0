import type {
  GatewayRoute,
  GatewaySettings,
  OrchSettings,
  ProbeSpec,
  RestartPolicy,
  ServiceOrch,
  SmokeCheck,
} from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { SMOKE_METHODS } from '../schema/orch.js';
import { parseAutoscale } from './autoscale.js';
import { parseRoute } from './gateway-route.js';
import { hostPath } from './volumes.js';
import { isRecord, stringRecord, toBool, toCommand, toDuration, toInt, toStr, type Ctx } from './values.js';

const PROBE_KINDS = ['http', 'tcp', 'exec', 'log'] as const;

export function parseServiceOrch(ctx: Ctx, path: KeyPath, v: unknown, restart: RestartPolicy): ServiceOrch {
  const spec = isRecord(v) ? v : {};
  const probe = isRecord(spec['probe']) ? parseProbe(ctx, [...path, 'probe'], spec['probe']) : undefined;
  const backoff = isRecord(spec['backoff']) ? spec['backoff'] : {};
  const autoscale = parseAutoscale(ctx, [...path, 'autoscale'], spec['autoscale']);
  return {
    ...(probe ? { probe } : {}),
    ...(autoscale ? { autoscale } : {}),
    restartOnUnhealthy:
      toBool(ctx, [...path, 'restart_on_unhealthy'], spec['restart_on_unhealthy']) ?? restart.kind !== 'no',
    backoff: {
      initialMs: toDuration(ctx, [...path, 'backoff', 'initial'], backoff['initial'], true) ?? 250,
      maxMs: toDuration(ctx, [...path, 'backoff', 'max'], backoff['max'], true) ?? 30_000,
    },
  };
}

function parseProbe(ctx: Ctx, path: KeyPath, p: Record<string, unknown>): ProbeSpec | undefined {
  const kinds = PROBE_KINDS.filter((k) => p[k] !== undefined && p[k] !== null);
  const known = new Set<string>([...PROBE_KINDS, 'interval', 'timeout', 'retries', 'start_period']);
  // An unknown key (likely a misspelt kind) already has a schema error saying so.
  if (kinds.length !== 1 && Object.keys(p).every((k) => known.has(k))) {
    ctx.r.errorAtKey(
      path,
      `a probe needs exactly one of http, tcp, exec or log (found ${kinds.join(', ') || 'none'})`,
    );
    return undefined;
  }
  if (kinds.length !== 1) return undefined;
  const timing = {
    intervalMs: toDuration(ctx, [...path, 'interval'], p['interval'], true) ?? 1000,
    timeoutMs: toDuration(ctx, [...path, 'timeout'], p['timeout'], true) ?? 1000,
    retries: toInt(ctx, [...path, 'retries'], p['retries']) ?? 3,
    startPeriodMs: toDuration(ctx, [...path, 'start_period'], p['start_period'], true) ?? 0,
  };
  const kind = kinds[0];
  const at = [...path, kind ?? ''];
  switch (kind) {
    case 'http': {
      const h = isRecord(p['http']) ? p['http'] : {};
      const port = toInt(ctx, [...at, 'port'], h['port'], 1) ?? 0;
      const status = toInt(ctx, [...at, 'status'], h['status'], 100);
      const probePath = toStr(h['path']) ?? '/';
      return { ...timing, kind, port, path: probePath, ...(status !== undefined ? { status } : {}) };
    }
    case 'tcp': {
      const t = isRecord(p['tcp']) ? p['tcp'] : {};
      return { ...timing, kind, port: toInt(ctx, [...at, 'port'], t['port'], 1) ?? 0 };
    }
    case 'exec':
      return { ...timing, kind, command: toCommand(ctx, at, p['exec']) ?? [] };
    case 'log': {
      const pattern = String(p['log']);
      try {
        new RegExp(pattern);
      } catch (err) {
        ctx.r.error(at, `invalid log pattern: ${(err as Error).message}`);
      }
      return { ...timing, kind, pattern };
    }
    default:
      return undefined;
  }
}

export function parseOrchSettings(ctx: Ctx, v: unknown): OrchSettings {
  const spec = isRecord(v) ? v : {};
  const path = ['x-orch'];
  const gateway = isRecord(spec['gateway'])
    ? parseGateway(ctx, [...path, 'gateway'], spec['gateway'])
    : undefined;
  const smoke = Array.isArray(spec['smoke'])
    ? spec['smoke'].flatMap((s, i) => parseSmoke(ctx, [...path, 'smoke', i], s) ?? [])
    : [];
  const templates = toStr(spec['templates']);
  const dash = isRecord(spec['dashboard']) ? spec['dashboard'] : undefined;
  const dashPort = dash ? toInt(ctx, [...path, 'dashboard', 'port'], dash['port'], 1) : undefined;
  const otlp = parseOtlp(ctx, [...path, 'telemetry', 'otlp'], spec['telemetry']);
  return {
    ...(gateway ? { gateway } : {}),
    smoke,
    ...(templates !== undefined ? { templates: hostPath(ctx, templates) } : {}),
    watch: toBool(ctx, [...path, 'watch'], spec['watch']) ?? false,
    ...(dash ? { dashboard: dashPort !== undefined ? { port: dashPort } : {} } : {}),
    ...(otlp !== undefined ? { telemetry: { otlp } } : {}),
  };
}

/** `x-orch.telemetry.otlp`: an http(s) URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
function parseOtlp(ctx: Ctx, at: KeyPath, telemetry: unknown): string | undefined {
  const v = isRecord(telemetry) ? toStr(telemetry['otlp']) : undefined;
  if (v === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    ctx.r.error(
      at,
      `"${v}" is not an http(s) URL; give the collector's OTLP/HTTP endpoint, e.g. http://127.0.0.1:4318`,
    );
    return undefined;
  }
  return v;
}

function parseGateway(ctx: Ctx, path: KeyPath, g: Record<string, unknown>): GatewaySettings {
  const routes: GatewayRoute[] = [];
  (Array.isArray(g['routes']) ? g['routes'] : []).forEach((raw, i) => {
    const route = parseRoute(ctx, [...path, 'routes', i], raw);
    if (route !== undefined) routes.push(route);
  });
  return {
    port: toInt(ctx, [...path, 'port'], g['port'], 1) ?? 8080,
    host: toStr(g['host']) ?? '127.0.0.1',
    timeoutMs: toDuration(ctx, [...path, 'timeout'], g['timeout'], true) ?? 30_000,
    ...limit('headerTimeoutMs', toDuration(ctx, [...path, 'header_timeout'], g['header_timeout'], true)),
    ...limit('maxHeaders', toInt(ctx, [...path, 'max_headers'], g['max_headers'], 1)),
    ...limit('maxConnections', toInt(ctx, [...path, 'max_connections'], g['max_connections'], 1)),
    routes,
  };
}

/** An optional gateway limit: present only when the file sets it (the gateway owns the defaults). */
function limit<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}

function parseSmoke(ctx: Ctx, path: KeyPath, raw: unknown): SmokeCheck | undefined {
  if (!isRecord(raw)) return undefined;
  const methods = SMOKE_METHODS.filter((m) => raw[m] !== undefined);
  const kinds = [...methods, ...(['run', 'exec'] as const).filter((k) => raw[k] !== undefined)];
  if (kinds.length !== 1) {
    ctx.r.error(path, `a smoke check needs exactly one of ${[...SMOKE_METHODS, 'run', 'exec'].join(', ')}`);
    return undefined;
  }
  const retries = toInt(ctx, [...path, 'retries'], raw['retries']) ?? 0;
  const timeoutMs = toDuration(ctx, [...path, 'timeout'], raw['timeout'], true) ?? 10_000;
  const method = methods[0];
  if (method) {
    const target = toStr(raw[method]) ?? '/';
    const body = raw['body'];
    const expectStatus = toInt(ctx, [...path, 'expect_status'], raw['expect_status'], 100);
    const expectBody = toStr(raw['expect_body']);
    const ej = raw['expect_json'];
    return {
      kind: 'http',
      name: toStr(raw['name']) ?? `${method.toUpperCase()} ${target}`,
      method: method.toUpperCase(),
      path: target,
      headers: stringRecord(raw['headers']),
      ...(body !== undefined && body !== null
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
      ...(expectStatus !== undefined ? { expectStatus } : {}),
      ...(expectBody !== undefined ? { expectBody } : {}),
      ...(isRecord(ej) ? { expectJson: { path: String(ej['path']), value: ej['value'] } } : {}),
      retries,
      timeoutMs,
    };
  }
  const exec = isRecord(raw['exec']) ? raw['exec'] : undefined;
  const command = exec
    ? toCommand(ctx, [...path, 'exec', 'command'], exec['command'])
    : toCommand(ctx, [...path, 'run'], raw['run']);
  const service = exec ? toStr(exec['service']) : undefined;
  return {
    kind: 'run',
    name: toStr(raw['name']) ?? (command ?? []).join(' '),
    command: command ?? [],
    ...(service !== undefined ? { service } : {}),
    retries,
    timeoutMs,
  };
}
