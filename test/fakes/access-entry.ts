import type { AccessEntry } from '../../src/adapters/gateway/access.js';

/** A gateway access entry for a span, with ids in W3C form; `over` sets what a test is about. */
export function accessEntry(over: Partial<AccessEntry> = {}): AccessEntry {
  return {
    ts: '2026-01-01T00:00:01.000Z',
    method: 'GET',
    path: '/api/items',
    status: 200,
    durationMs: 12.5,
    requestId: 'req-1',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    route: '/api',
    service: 'api',
    replica: 'shop-api-1',
    retries: 0,
    ...over,
  };
}
