/**
 * Request and trace ids in log lines. This runs on every line that needs it, so each form is
 * guarded by a cheap substring test before any regex or JSON.parse.
 *
 * Recognised: the W3C `traceparent` value `00-<32hex>-<16hex>-<2hex>` anywhere (its trace id),
 * JSON objects with `request_id`, `requestId`, `x-request-id`, `trace_id`, `traceId`,
 * `traceparent` at the top level, and `key=value` / `key: value` text with the same keys.
 */

export interface CorrelationIds {
  readonly requestId?: string;
  readonly traceId?: string;
}

const NONE: CorrelationIds = Object.freeze({});

const TRACEPARENT = /(?:^|[^0-9a-f-])00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(?![0-9a-f-])/;
// A key preceded by start/non-word (so `myrequest_id=` does not count), then `=` or `: `, then a
// value, optionally quoted. Values stop at whitespace, quotes and common separators.
const KV =
  /(?:^|[^\w-])(request_id|requestid|x-request-id|trace_id|traceid)"?\s*(?:=|:)\s*"?([A-Za-z0-9][\w.:/+-]{0,127})/gi;
const ZERO_TRACE = '00000000000000000000000000000000';

type Kind = 'request' | 'trace';

function kindOf(key: string): Kind | undefined {
  switch (key.toLowerCase()) {
    case 'request_id':
    case 'requestid':
    case 'x-request-id':
      return 'request';
    case 'trace_id':
    case 'traceid':
      return 'trace';
    default:
      return undefined;
  }
}

/** True when the line could carry an id at all: the filter every caller should use first. */
export function mayCarryIds(line: string): boolean {
  return line.includes('equest') || line.includes('race') || line.includes('00-');
}

export function extractIds(line: string): CorrelationIds {
  if (!mayCarryIds(line)) return NONE;
  let requestId: string | undefined;
  let traceId: string | undefined;

  const first = firstNonSpace(line);
  if (first === '{') {
    const fromJson = jsonIds(line);
    if (fromJson) {
      requestId = fromJson.requestId;
      traceId = fromJson.traceId;
    }
  }
  if (requestId === undefined || traceId === undefined) {
    KV.lastIndex = 0;
    for (let m = KV.exec(line); m; m = KV.exec(line)) {
      const kind = kindOf(m[1] ?? '');
      const value = m[2];
      if (value === undefined) continue;
      if (kind === 'request') requestId ??= value;
      else if (kind === 'trace') traceId ??= value;
    }
  }
  if (traceId === undefined && line.includes('00-')) traceId = traceFromTraceparent(line);
  if (requestId === undefined && traceId === undefined) return NONE;
  return {
    ...(requestId === undefined ? {} : { requestId }),
    ...(traceId === undefined ? {} : { traceId }),
  };
}

function firstNonSpace(line: string): string {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c !== ' ' && c !== '\t') return c ?? '';
  }
  return '';
}

export function traceFromTraceparent(text: string): string | undefined {
  const m = TRACEPARENT.exec(text);
  const id = m?.[1];
  return id === undefined || id === ZERO_TRACE ? undefined : id;
}

function jsonIds(line: string): { requestId?: string; traceId?: string } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  const requestId = str(o['request_id']) ?? str(o['requestId']) ?? str(o['x-request-id']);
  const tp = str(o['traceparent']);
  const traceId =
    str(o['trace_id']) ?? str(o['traceId']) ?? (tp === undefined ? undefined : traceFromTraceparent(tp));
  return {
    ...(requestId === undefined ? {} : { requestId }),
    ...(traceId === undefined ? {} : { traceId }),
  };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Does this line carry `id` as its request id or trace id? Cheap substring test first. */
export function carriesId(line: string, id: string): boolean {
  if (!line.includes(id)) return false;
  const ids = extractIds(line);
  return ids.requestId === id || ids.traceId === id;
}
