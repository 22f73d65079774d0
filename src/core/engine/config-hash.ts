import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../../model/project.js';

/**
 * A hash of everything that shapes a service's containers. A container whose label differs from
 * the current hash is recreated; one that matches is reused. Replica count, source position,
 * watch rules, the dependency list and autoscaling are left out: changing them must not recreate
 * containers.
 */
export function serviceConfigHash(service: ServiceSpec, imageId: string): string {
  const {
    pos: _pos,
    replicas: _replicas,
    watch: _watch,
    dependsOn: _deps,
    profiles: _profiles,
    ...rest
  } = service;
  // Autoscaling decides how many containers, not what one looks like.
  const { autoscale: _autoscale, ...orch } = rest.orch;
  const shape = { ...rest, orch };
  return createHash('sha256').update(stableJson({ shape, imageId })).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
