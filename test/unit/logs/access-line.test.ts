import { describe, expect, it } from 'vitest';
import { accessRecord } from '../../../src/core/logs/access.js';

const entry = {
  ts: '2026-01-02T03:04:05.678Z',
  method: 'GET',
  path: '/api/x',
  status: 200,
  replica: 'shop-api-2',
  durationMs: 12.4,
  requestId: 'r1',
  traceId: 't1',
};

describe('the gateway access line', () => {
  it('says nothing of retries when there were none', () => {
    expect(accessRecord({ ...entry, retries: 0 }).line).toBe(
      'GET /api/x 200 shop-api-2 12ms request_id=r1 trace_id=t1',
    );
    expect(accessRecord(entry).line).not.toContain('retries');
  });

  it('counts retries as retries=N, before reason and error', () => {
    expect(accessRecord({ ...entry, status: 503, retries: 2, error: 'x' }).line).toBe(
      'GET /api/x 503 shop-api-2 12ms request_id=r1 trace_id=t1 retries=2 error=x',
    );
  });
});
