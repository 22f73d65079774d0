import type { HealthStatus } from './ports.js';
import type { ProbeStatus } from './probes/types.js';

/**
 * One replica's health from its two possible sources, as the contract defines it: a service is
 * healthy when every source it has passes. Docker's `none` means "no Docker healthcheck", and an
 * absent probe status means "no orch probe"; with neither there is nothing to gate on.
 */
export function combineHealth(docker: HealthStatus, probe?: ProbeStatus): HealthStatus {
  const sources: ProbeStatus[] = [];
  if (docker !== 'none') sources.push(docker);
  if (probe !== undefined) sources.push(probe);
  if (sources.length === 0) return 'none';
  // Unhealthy wins over starting: a replica that has already failed should not look like it may recover.
  if (sources.includes('unhealthy')) return 'unhealthy';
  return sources.every((s) => s === 'healthy') ? 'healthy' : 'starting';
}
