import type { Project, ServiceSpec } from '../../model/project.js';
import { didYouMean } from '../diagnostics.js';
import type { ProjectFs } from '../fs.js';
import { parseOrchSettings } from './orch.js';
import { parseFileObjects, parseNetworks, parseVolumes } from './resources.js';
import { normalizeService, type NormalizedService } from './service.js';
import { isRecord, type Ctx } from './values.js';

export interface Normalized {
  readonly project: Project;
  /** Enabled services with the positions the cross-service checks need. */
  readonly services: ReadonlyMap<string, NormalizedService>;
}

/** Services with `profiles:` run only when one of their profiles is enabled (or `*`). */
function enabled(profiles: readonly string[], active: ReadonlySet<string>): boolean {
  return profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
}

export async function normalizeProject(
  ctx: Ctx,
  fs: ProjectFs,
  raw: Record<string, unknown>,
  meta: { files: readonly string[]; profiles: readonly string[] },
): Promise<Normalized> {
  const rawServices = isRecord(raw['services']) ? raw['services'] : {};
  const declared = {
    volumes: new Set(Object.keys(isRecord(raw['volumes']) ? raw['volumes'] : {})),
    networks: new Set(Object.keys(isRecord(raw['networks']) ? raw['networks'] : {})),
    secrets: new Set(Object.keys(isRecord(raw['secrets']) ? raw['secrets'] : {})),
    configs: new Set(Object.keys(isRecord(raw['configs']) ? raw['configs'] : {})),
  };
  const active = new Set(meta.profiles);
  const all = new Map<string, NormalizedService>();
  for (const [name, svc] of Object.entries(rawServices)) {
    all.set(name, await normalizeService(ctx, fs, name, isRecord(svc) ? svc : {}, declared));
  }
  const services = new Map([...all].filter(([, s]) => enabled(s.spec.profiles, active)));
  for (const [name, s] of services) {
    for (const d of s.deps) {
      const target = all.get(d.name);
      if (!target) {
        ctx.r.errorAtKey(
          d.path,
          d.via
            ? `service \`${name}\` has ${d.via} \`service:${d.name}\`, but no service \`${d.name}\` is defined`
            : `service \`${name}\` depends on undefined service \`${d.name}\``,
          didYouMean(d.name, all.keys()),
        );
      } else if (!services.has(d.name) && d.dep.required) {
        ctx.r.errorAtKey(
          d.path,
          `service \`${name}\` depends on \`${d.name}\`, which is disabled`,
          `enable it with --profile ${target.spec.profiles[0] ?? ''}`,
        );
      }
    }
  }
  const specs: Record<string, ServiceSpec> = Object.fromEntries([...services].map(([n, s]) => [n, s.spec]));
  const needDefault = Object.values(specs).some((s) => 'default' in s.networks);
  return {
    services,
    project: {
      name: ctx.projectName,
      projectDir: ctx.projectDir,
      files: meta.files,
      services: specs,
      networks: parseNetworks(ctx, raw['networks'], needDefault),
      volumes: parseVolumes(ctx, raw['volumes']),
      secrets: parseFileObjects(ctx, 'secrets', raw['secrets']),
      configs: parseFileObjects(ctx, 'configs', raw['configs']),
      orch: parseOrchSettings(ctx, raw['x-orch']),
    },
  };
}
