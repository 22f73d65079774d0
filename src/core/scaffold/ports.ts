import { routeServices, type Project } from '../../model/project.js';

/**
 * Ports the project's services already use, each with who uses it and how. Containers have their
 * own network namespaces, so two services *could* share a container port; a new service is still
 * kept off them, because routes, probes and published ports that name the same number are easy to
 * mix up when reading the file.
 */
export function portsInUse(project: Project): Map<number, string[]> {
  const byPort = new Map<number, Map<string, string[]>>();
  const note = (port: number | undefined, who: string): void => {
    if (port === undefined || !Number.isInteger(port) || port < 1) return;
    const [service = who, how = ''] = who.split(' (');
    const users = byPort.get(port) ?? new Map<string, string[]>();
    const hows = users.get(service) ?? [];
    const h = how.replace(/\)$/, '');
    if (!hows.includes(h)) hows.push(h);
    users.set(service, hows);
    byPort.set(port, users);
  };
  for (const [name, s] of Object.entries(project.services)) {
    for (const p of s.ports) {
      note(p.target, `${name} (ports)`);
      if (p.published && /^\d+$/.test(p.published)) note(Number(p.published), `${name} (published port)`);
    }
    for (const e of s.expose) note(Number.parseInt(e, 10), `${name} (expose)`);
    const probe = s.orch.probe;
    if (probe && (probe.kind === 'http' || probe.kind === 'tcp')) note(probe.port, `${name} (x-orch.probe)`);
    note(s.orch.process?.port, `${name} (x-orch.process)`);
    const envPort = s.environment['PORT'];
    if (typeof envPort === 'string' && /^\d+$/.test(envPort)) note(Number(envPort), `${name} (PORT)`);
  }
  for (const r of project.orch.gateway?.routes ?? [])
    for (const service of routeServices(r)) note(r.port, `${service} (gateway route)`);
  // `api (PORT, gateway route)`: one entry per service, saying how it uses the port.
  const used = new Map<number, string[]>();
  for (const [port, users] of byPort)
    used.set(
      port,
      [...users].map(([service, hows]) => `${service} (${hows.join(', ')})`),
    );
  return used;
}

/** `wanted`, or the next port up that nobody uses. */
export function nextFreePort(wanted: number, used: ReadonlyMap<number, unknown>): number {
  let p = wanted;
  while (used.has(p) && p < 65535) p++;
  return p;
}
