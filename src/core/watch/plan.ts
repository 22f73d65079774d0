import { isDeepStrictEqual } from 'node:util';
import type { Project, ServiceSpec } from '../../model/project.js';
import { serviceConfigHash } from '../engine/config-hash.js';
import { imageRef } from '../engine/naming.js';

/** What a project-file edit means for one service. */
export type ServiceChange =
  | { readonly kind: 'unchanged'; readonly service: string }
  | {
      readonly kind: 'recreate';
      readonly service: string;
      readonly from: number;
      readonly to: number;
      /** `build:` itself changed: the image must be built again, not reused. */
      readonly rebuild: boolean;
    }
  | { readonly kind: 'scale'; readonly service: string; readonly from: number; readonly to: number }
  | { readonly kind: 'added'; readonly service: string; readonly replicas: number }
  | { readonly kind: 'removed'; readonly service: string };

export interface ProjectPlan {
  readonly changes: readonly ServiceChange[];
  /** The gateway's port, host or timeout changed (or the gateway was added or removed). */
  readonly gatewayChanged: boolean;
  /** Some service's `develop.watch` rules changed: the watcher re-subscribes. */
  readonly watchChanged: boolean;
}

/** The per-service difference between the running project and the edited one (config hash). */
export function diffProjects(prev: Project, next: Project): ProjectPlan {
  const names = [...new Set([...Object.keys(prev.services), ...Object.keys(next.services)])].sort();
  const changes = names.map((service): ServiceChange => {
    const a = prev.services[service];
    const b = next.services[service];
    if (!a && b) return { kind: 'added', service, replicas: b.replicas };
    if (a && !b) return { kind: 'removed', service };
    if (!a || !b) return { kind: 'unchanged', service };
    if (hashOf(prev, a) !== hashOf(next, b))
      return {
        kind: 'recreate',
        service,
        from: a.replicas,
        to: b.replicas,
        rebuild: b.build !== undefined && !isDeepStrictEqual(a.build, b.build),
      };
    if (a.replicas !== b.replicas) return { kind: 'scale', service, from: a.replicas, to: b.replicas };
    return { kind: 'unchanged', service };
  });
  const watchChanged = names.some(
    (n) => !isDeepStrictEqual(prev.services[n]?.watch ?? [], next.services[n]?.watch ?? []),
  );
  return {
    changes,
    gatewayChanged: !isDeepStrictEqual(stripPos(prev), stripPos(next)),
    watchChanged,
  };
}

export function hasWork(plan: ProjectPlan): boolean {
  return plan.changes.some((c) => c.kind !== 'unchanged');
}

/** "recreate side, scale api 2→3": what will be done, in one line. */
export function describePlan(plan: ProjectPlan): string {
  const parts: string[] = [];
  for (const c of plan.changes) {
    switch (c.kind) {
      case 'unchanged':
        break;
      case 'recreate':
        parts.push(
          `${c.rebuild ? 'rebuild and ' : ''}recreate ${c.service}${c.from !== c.to ? ` (${c.from}→${c.to})` : ''}`,
        );
        break;
      case 'scale':
        parts.push(`scale ${c.service} ${c.from}→${c.to}`);
        break;
      case 'added':
        parts.push(`add ${c.service}${c.replicas !== 1 ? ` ×${c.replicas}` : ''}`);
        break;
      case 'removed':
        parts.push(`remove ${c.service}`);
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }
  return parts.length > 0 ? parts.join(', ') : 'no service changed';
}

function hashOf(project: Project, s: ServiceSpec): string {
  return serviceConfigHash(s, imageRef(project, s));
}

/** What a live edit cannot change in the running gateway (routes are applied live). */
function stripPos(p: Project): unknown {
  const g = p.orch.gateway;
  if (!g) return undefined;
  const { routes: _routes, ...listener } = g;
  return listener;
}
