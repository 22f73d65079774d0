import type { ServiceSpec } from '../../../model/project.js';
import { combinedHealthcheck, fileHealthcheck, type HealthTiming } from '../health.js';
import type { Warnings } from '../types.js';
import { seconds, type Json } from './meta.js';

interface Handler {
  readonly handler: Json;
  readonly timing: HealthTiming;
}

function execHandler(test: readonly string[]): Json {
  const [kind, ...rest] = test;
  return { exec: { command: kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest } };
}

/**
 * One probe handler for every health source: orch's http/tcp/exec probe natively, the file's
 * healthcheck as exec; both together (Kubernetes runs one handler per probe) as one shell
 * command that needs both to pass.
 */
function handler(s: ServiceSpec, w: Warnings): Handler | undefined {
  const p = s.orch.probe;
  const file = fileHealthcheck(s);
  if (p && p.kind !== 'log' && !file) {
    const timing = p;
    switch (p.kind) {
      case 'http':
        if (p.status !== undefined)
          w.add(s.name, 'x-orch.probe.http.status', `Kubernetes accepts any 200-399, not only ${p.status}`);
        return { handler: { httpGet: { path: p.path, port: p.port } }, timing };
      case 'tcp':
        return { handler: { tcpSocket: { port: p.port } }, timing };
      case 'exec':
        return { handler: { exec: { command: [...p.command] } }, timing };
    }
  }
  const combined = combinedHealthcheck(s, w);
  return combined && { handler: execHandler(combined.test), timing: combined.timing };
}

/**
 * Readiness from every health source (the Service sends traffic, and waiting dependents start,
 * only once ready, as orch gates them); liveness the same unless orch would not restart an
 * unhealthy replica; a start period becomes a startup probe, during which failures don't count.
 */
export function containerProbes(s: ServiceSpec, w: Warnings): Json {
  const h = handler(s, w);
  if (!h) return {};
  const period = seconds(h.timing.intervalMs);
  const base = {
    ...h.handler,
    periodSeconds: period,
    timeoutSeconds: seconds(h.timing.timeoutMs),
    failureThreshold: Math.max(1, h.timing.retries),
  };
  const out: Json = { readinessProbe: base };
  if (s.orch.restartOnUnhealthy) out['livenessProbe'] = base;
  if (h.timing.startPeriodMs > 0)
    out['startupProbe'] = {
      ...base,
      failureThreshold: Math.ceil(h.timing.startPeriodMs / (period * 1000)) + Math.max(1, h.timing.retries),
    };
  return out;
}
