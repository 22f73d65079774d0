import type { Project } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { OrchError } from '../../errors/index.js';
import type { DockerPort } from '../ports.js';

export type ResourceEvent = { type: 'network' | 'volume'; name: string; action: 'created' };

/** Creates the project's networks and named volumes that do not exist yet; external ones must exist. */
export async function ensureResources(
  project: Project,
  usedNetworks: ReadonlySet<string>,
  usedVolumes: ReadonlySet<string>,
  docker: DockerPort,
  onEvent: (e: ResourceEvent) => void,
): Promise<void> {
  const labels = { [Label.project]: project.name };
  // Every network and volume at once: each is a round trip or two the engine serves in parallel.
  const networks = [...usedNetworks].map(async (key) => {
    const net = project.networks[key] ?? {
      name: `${project.name}_${key}`,
      external: false,
      internal: false,
      labels: {},
    };
    if (await docker.networkExists(net.name)) return;
    if (net.external)
      throw new OrchError('STACK_FAILED', `external network "${net.name}" does not exist`, {
        hint: `create it first: docker network create ${net.name}`,
      });
    await docker.createNetwork(
      net.name,
      { ...net.labels, ...labels },
      {
        ...(net.driver ? { driver: net.driver } : {}),
        internal: net.internal,
      },
    );
    onEvent({ type: 'network', name: net.name, action: 'created' });
  });
  const volumes = [...usedVolumes].map(async (key) => {
    const vol = project.volumes[key];
    if (!vol) return;
    if (await docker.volumeExists(vol.name)) return;
    if (vol.external)
      throw new OrchError('STACK_FAILED', `external volume "${vol.name}" does not exist`, {
        hint: `create it first: docker volume create ${vol.name}`,
      });
    await docker.createVolume(
      vol.name,
      { ...vol.labels, ...labels },
      vol.driver ? { driver: vol.driver } : {},
    );
    onEvent({ type: 'volume', name: vol.name, action: 'created' });
  });
  await Promise.all([...networks, ...volumes]);
}

export function networksUsed(project: Project, services: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of services) {
    // A service with `network_mode` joins no project network, not even the default one.
    if (project.services[name]?.networkMode !== undefined) continue;
    const keys = Object.keys(project.services[name]?.networks ?? {});
    for (const k of keys.length > 0 ? keys : ['default']) out.add(k);
  }
  return out;
}

export function volumesUsed(project: Project, services: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of services)
    for (const v of project.services[name]?.volumes ?? [])
      if (v.type === 'volume' && v.source) out.add(v.source);
  return out;
}
