import { describe, expect, it } from 'vitest';
import { carriesId, extractIds, mayCarryIds } from '../../../src/core/logs/correlate.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TP = `00-${TRACE}-00f067aa0ba902b7-01`;

describe('extractIds', () => {
  it.each([
    ['request_id=abc123 GET /x', { requestId: 'abc123' }],
    ['requestId=abc123', { requestId: 'abc123' }],
    ['x-request-id=abc123', { requestId: 'abc123' }],
    ['X-Request-Id: abc123', { requestId: 'abc123' }],
    ['msg="done" request_id="r-1" status=200', { requestId: 'r-1' }],
    [`trace_id=${TRACE}`, { traceId: TRACE }],
    [`traceId=${TRACE} took 3ms`, { traceId: TRACE }],
    [`traceparent=${TP}`, { traceId: TRACE }],
    [`incoming ${TP} ok`, { traceId: TRACE }],
    ['{"request_id":"abc","msg":"x"}', { requestId: 'abc' }],
    ['{"requestId":"abc"}', { requestId: 'abc' }],
    ['{"x-request-id":"abc"}', { requestId: 'abc' }],
    [`{"trace_id":"${TRACE}"}`, { traceId: TRACE }],
    ['{"traceId":"t-9"}', { traceId: 't-9' }],
    [`{"traceparent":"${TP}","level":"info"}`, { traceId: TRACE }],
    [`{"requestId":"r9","traceparent":"${TP}"}`, { requestId: 'r9', traceId: TRACE }],
    [`GET /api 200 api-1 12ms request_id=gw-7 trace_id=${TRACE}`, { requestId: 'gw-7', traceId: TRACE }],
    [`time=1 level=info "request_id": "r2"`, { requestId: 'r2' }],
  ])('%s', (line, expected) => {
    expect(extractIds(line)).toEqual(expected);
  });

  it.each([
    'GET /health 200',
    'the request id is missing from this request',
    'tracing enabled; trace sampling 0.1',
    'myrequest_id=abc is not a key',
    'request_id=',
    '{"msg":"request done","trace":"on"}',
    '{not json request_id',
    'version 1.00-beta released',
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    '2024-01-01 00-00 nothing',
  ])('no id in %s', (line) => {
    expect(extractIds(line)).toEqual({});
  });

  it('skips lines without any key cheaply', () => {
    expect(mayCarryIds('plain line 42')).toBe(false);
    expect(mayCarryIds('a request')).toBe(true);
  });

  it('carriesId matches request or trace id exactly, not substrings', () => {
    expect(carriesId('request_id=abc123', 'abc123')).toBe(true);
    expect(carriesId('request_id=abc1234', 'abc123')).toBe(false);
    expect(carriesId(`x ${TP}`, TRACE)).toBe(true);
    expect(carriesId('abc123 appears but not as an id', 'abc123')).toBe(false);
  });
});
