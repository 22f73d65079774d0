import { describe, expect, it } from 'vitest';
import {
  applyQuery,
  msToTs,
  parseSince,
  recordFilter,
  tailPerReplica,
  withIds,
} from '../../../src/core/logs/query.js';
import type { LogRecord } from '../../../src/core/logs/types.js';

const r = (service: string, replica: number, ms: number, line: string): LogRecord => ({
  ts: msToTs(ms),
  service,
  replica,
  stream: 'stdout',
  line,
});

describe('query', () => {
  it('parses --since durations, times and unix seconds', () => {
    const now = Date.UTC(2024, 0, 1, 12);
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('1h30m', now)).toBe(now - 5_400_000);
    expect(parseSince('500ms', now)).toBe(now - 500);
    expect(parseSince('2024-01-01T11:00:00Z', now)).toBe(Date.UTC(2024, 0, 1, 11));
    expect(parseSince('1704106800', now)).toBe(1704106800_000);
    expect(parseSince('yesterday-ish', now)).toBeUndefined();
  });

  it('filters by service, since, grep and trace id', () => {
    const lines = [
      r('a', 1, 1000, 'hello request_id=x1'),
      r('b', 1, 2000, 'error boom'),
      r('a', 1, 3000, 'error again trace_id=t1'),
    ];
    const pick = (q: Parameters<typeof recordFilter>[0]) =>
      lines.filter(recordFilter(q) ?? (() => true)).map((x) => x.line);
    expect(pick({ services: ['a'] })).toHaveLength(2);
    expect(pick({ sinceTs: msToTs(2000) })).toEqual(['error boom', 'error again trace_id=t1']);
    expect(pick({ grep: /error/ })).toHaveLength(2);
    expect(pick({ traceId: 'x1' })).toEqual(['hello request_id=x1']);
    expect(pick({ traceId: 't1', grep: /again/ })).toEqual(['error again trace_id=t1']);
    expect(recordFilter({})).toBeUndefined();
  });

  it('tail is per replica, after the filter', () => {
    const lines = [
      r('a', 1, 1, 'a1'),
      r('a', 2, 2, 'b1'),
      r('a', 1, 3, 'a2'),
      r('a', 2, 4, 'b2'),
      r('a', 1, 5, 'a3'),
    ];
    expect(tailPerReplica(lines, 1).map((x) => x.line)).toEqual(['b2', 'a3']);
    expect(applyQuery(lines, { grep: /a/, tail: 2 }).map((x) => x.line)).toEqual(['a2', 'a3']);
  });

  it('withIds adds ids only where found', () => {
    expect(withIds(r('a', 1, 1, 'plain'))).toEqual(r('a', 1, 1, 'plain'));
    expect(withIds(r('a', 1, 1, 'request_id=q')).requestId).toBe('q');
  });
});
