import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gateway, type GatewayReplica } from '../adapters/gateway/index.js';
import {
  routeServices,
  type BalanceStrategy,
  type BreakerPolicy,
  type GatewayRoute,
  type GatewaySettings,
  type RetryPolicy,
  type RouteBackend,
} from '../model/project.js';
import { OrchError } from '../errors/index.js';
import { renderAccessLine } from '../ui/smoke-view.js';

/** What `orch export swarm` puts in the gateway service's ORCH_GATEWAY variable. */
interface SwarmGatewayConfig {
  stack: string;
  port: number;
  timeoutMs: number;
  routes: {
    path?: string;
    host?: string;
    service: string;
    services?: RouteBackend[];
    port: number;
    stripPrefix: boolean;
    balance: BalanceStrategy;
    retries?: RetryPolicy;
    breaker?: BreakerPolicy;
  }[];
}

export function parseGatewayConfig(text: string | undefined): { stack: string; settings: GatewaySettings } {
  let c: SwarmGatewayConfig;
  try {
    c = JSON.parse(text ?? '') as SwarmGatewayConfig;
  } catch {
    throw new OrchError('USAGE', 'ORCH_GATEWAY is not set to the gateway settings (JSON)', {
      hint: 'this command runs inside the gateway service that orch deploy --target swarm creates',
    });
  }
  const pos = { file: 'ORCH_GATEWAY', line: 1, col: 1 };
  const routes: GatewayRoute[] = c.routes.map((r) => ({ ...r, pos }));
  // Inside the container: every address, so the published port reaches it.
  return { stack: c.stack, settings: { port: c.port, host: '0.0.0.0', timeoutMs: c.timeoutMs, routes } };
}

/**
 * Swarm's DNS answers `tasks.<service>` with the addresses of the service's running tasks, and
 * a task with a healthcheck only counts as running once healthy: so the gateway's members are
 * exactly the healthy replicas, as under `orch up`.
 */
async function lookupTasks(resolver: Resolver, stack: string, service: string): Promise<string[]> {
  for (const name of [`tasks.${service}`, `tasks.${stack}_${service}`]) {
    const ips = await resolver.resolve4(name).catch(() => [] as string[]);
    if (ips.length > 0) return ips.sort();
  }
  return [];
}

/** Serves the gateway inside its Swarm service until `signal` aborts; access lines go to `print`. */
export async function runSwarmGateway(
  text: string | undefined,
  signal: AbortSignal,
  print: (line: string) => void,
  pollMs = 1000,
): Promise<void> {
  const { stack, settings } = parseGatewayConfig(text);
  const gateway = new Gateway(settings, { onAccess: (e) => print(renderAccessLine(e)) });
  const bound = await gateway.start();
  print(`gateway: listening on ${bound.host}:${bound.port}`);
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  const ports = new Map<string, number[]>();
  for (const r of settings.routes)
    for (const s of routeServices(r)) ports.set(s, [...(ports.get(s) ?? []), r.port]);
  const known = new Map<string, string>();
  try {
    while (!signal.aborted) {
      for (const [service, routePorts] of ports) {
        const ips = await lookupTasks(resolver, stack, service);
        const key = ips.join(',');
        if (known.get(service) !== key)
          print(`gateway: ${service} → ${ips.length ? ips.join(', ') : 'no healthy task'}`);
        known.set(service, key);
        const replicas: GatewayReplica[] = ips.map((ip, i) => ({
          id: ip,
          name: `${stack}_${service}@${ip}`,
          service,
          replica: i + 1,
          healthy: true,
          ports: [...new Set(routePorts)].map((p) => ({
            containerPort: p,
            protocol: 'tcp' as const,
            hostIp: ip,
            hostPort: p,
          })),
        }));
        gateway.setReplicas(service, replicas);
      }
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await gateway.stop();
  }
}
