import { describe, expect, it } from 'vitest';
import { combineHealth } from '../../../src/core/health.js';
import type { ProbeStatus } from '../../../src/core/probes/index.js';
import type { HealthStatus } from '../../../src/core/ports.js';

describe('combineHealth', () => {
  const table: [HealthStatus, ProbeStatus | undefined, HealthStatus][] = [
    ['none', undefined, 'none'],
    ['starting', undefined, 'starting'],
    ['healthy', undefined, 'healthy'],
    ['unhealthy', undefined, 'unhealthy'],
    ['none', 'starting', 'starting'],
    ['none', 'healthy', 'healthy'],
    ['none', 'unhealthy', 'unhealthy'],
    ['healthy', 'healthy', 'healthy'],
    ['healthy', 'starting', 'starting'],
    ['starting', 'healthy', 'starting'],
    ['starting', 'starting', 'starting'],
    ['healthy', 'unhealthy', 'unhealthy'],
    ['unhealthy', 'healthy', 'unhealthy'],
    ['unhealthy', 'starting', 'unhealthy'],
    ['starting', 'unhealthy', 'unhealthy'],
    ['unhealthy', 'unhealthy', 'unhealthy'],
  ];
  it.each(table)('docker %s + probe %s → %s', (docker, probe, expected) => {
    expect(combineHealth(docker, probe)).toBe(expected);
  });
});
