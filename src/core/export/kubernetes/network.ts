import type { GatewayRoute, ServiceSpec } from '../../../model/project.js';
import { dnsLabel } from '../names.js';
import type { ExportInput, Warnings } from '../types.js';
import { labels, object, selector, type K8sObject } from './meta.js';
import { knownPorts } from './workload.js';

/**
 * A headless Service per long-running service: its name resolves to the ready pods' addresses,
 * on every port, as a compose service name does (compose files often never list their ports).
 */
export function service(input: ExportInput, s: ServiceSpec): K8sObject {
  const ports = knownPorts(input.project, s);
  return object('v1', 'Service', dnsLabel(s.name), labels(input.project.name, s.name), {
    spec: {
      clusterIP: 'None',
      selector: selector(input.project.name, s.name),
      ...(ports.length
        ? {
            ports: ports.map((p) => ({
              name: `${p.protocol.toLowerCase()}-${p.port}`,
              port: p.port,
              targetPort: p.port,
              protocol: p.protocol,
            })),
          }
        : {}),
    },
  });
}

/** ingress-nginx's way to strip a prefix; the Ingress API itself has no rewrite. */
const NGINX = 'nginx.ingress.kubernetes.io';

/** One Ingress per gateway route, in the file's order (the gateway's longest prefix wins, as Ingress's does). */
export function ingress(input: ExportInput, route: GatewayRoute, index: number, w: Warnings): K8sObject {
  const { project } = input;
  const where = `x-orch.gateway.routes[${index}]`;
  const prefix = (route.path ?? '/').replace(/\/+$/, '');
  const strip = route.stripPrefix && prefix !== '';
  if (strip)
    w.add(
      route.service,
      `${where}.strip_prefix`,
      `translated with ingress-nginx annotations (${NGINX}/rewrite-target); other controllers ignore them`,
    );
  if (route.services !== undefined)
    w.add(
      route.service,
      `${where}.services`,
      `an Ingress has one backend: all of this route goes to \`${route.service}\`; split it over ${route.services.map((b) => `${b.service} (${b.weight})`).join(', ')} with your controller's canary feature (ingress-nginx: ${NGINX}/canary-weight)`,
    );
  else if (route.balance !== 'round_robin')
    w.add(
      route.service,
      `${where}.balance`,
      `${route.balance} is up to the ingress controller (round robin is the usual default)`,
    );
  for (const key of ['retries', 'breaker'] as const)
    if (route[key] !== undefined)
      w.add(
        route.service,
        `${where}.${key}`,
        'not translated: retries and circuit breaking are up to the ingress controller or a service mesh',
      );
  const backend = { service: { name: dnsLabel(route.service), port: { number: route.port } } };
  const path = strip
    ? { path: `${prefix}(/|$)(.*)`, pathType: 'ImplementationSpecific', backend }
    : { path: prefix === '' ? '/' : prefix, pathType: 'Prefix', backend };
  const obj = object(
    'networking.k8s.io/v1',
    'Ingress',
    `route-${index}-${dnsLabel(route.service)}`,
    labels(project.name, route.service, 'gateway'),
    {
      spec: {
        rules: [{ ...(route.host !== undefined ? { host: route.host } : {}), http: { paths: [path] } }],
      },
    },
  );
  if (!strip) return obj;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { [`${NGINX}/rewrite-target`]: '/$2', [`${NGINX}/use-regex`]: 'true' },
    },
  };
}
