import type { Project } from '../../model/project.js';
import { combinedHealthcheck } from './health.js';
import { healthcheckDoc } from './swarm.js';
import { Warnings, type ExportWarning } from './types.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The resolved file for another compose engine: `orch config`'s canonical shape without orch's
 * own keys, which another engine would ignore. orch's probes become healthchecks the container
 * runs itself, so `depends_on: service_healthy` still means something there.
 */
export function toComposeForEngine(
  canonical: unknown,
  project: Project,
): { doc: Json; warnings: readonly ExportWarning[] } {
  const w = new Warnings();
  const doc: Json = isRecord(canonical) ? { ...canonical } : {};
  delete doc['x-orch'];
  if (project.orch.gateway)
    w.add(
      undefined,
      'x-orch.gateway',
      'another compose engine has no gateway: publish the routed services’ ports, or use orch export swarm / kubernetes',
    );
  const services = isRecord(doc['services']) ? doc['services'] : {};
  const out: Json = {};
  for (const name of Object.keys(services).sort()) {
    const svc = services[name];
    const spec = project.services[name];
    if (!isRecord(svc) || !spec) continue;
    const copy: Json = { ...svc };
    delete copy['x-orch'];
    if (spec.orch.probe) {
      const h = combinedHealthcheck(spec, w);
      if (h) copy['healthcheck'] = healthcheckDoc(h);
    }
    out[name] = copy;
  }
  doc['services'] = out;
  return { doc, warnings: w.sorted() };
}
