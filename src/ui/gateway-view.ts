import type { GatewayStats, ReplicaStats } from '../adapters/gateway/index.js';
import { renderTable } from './table.js';

/** A replica's place in its route: the breaker's word first, then ejection, then health. */
export function replicaState(x: ReplicaStats): string {
  if (x.breaker === 'open') return 'breaker open';
  if (x.breaker === 'half-open') return 'breaker half-open';
  return x.ejected ? 'ejected' : x.healthy ? 'in rotation' : 'out';
}

export function renderGatewayStats(address: { host: string; port: number }, stats: GatewayStats): string {
  const ms = (n: number): string => `${n.toFixed(1)}ms`;
  const rows: string[][] = [];
  for (const r of stats.routes) {
    const services = r.services?.map((s) => `${s.service}:${s.weight}`).join(' ') ?? r.service;
    const retries = r.retries > 0 ? ` (${r.retries} retries)` : '';
    rows.push([
      r.route,
      services,
      '*',
      String(r.requests),
      String(r.errors),
      String(r.inFlight),
      ms(r.p50Ms),
      ms(r.p99Ms),
      `${r.balance}${retries}`,
    ]);
    for (const x of r.replicas)
      rows.push([
        '',
        r.services !== undefined ? x.service : '',
        x.replica,
        String(x.requests),
        String(x.errors),
        String(x.inFlight),
        ms(x.p50Ms),
        ms(x.p99Ms),
        replicaState(x),
      ]);
  }
  return [
    `gateway http://${address.host}:${address.port}/`,
    renderTable(
      ['ROUTE', 'SERVICE', 'REPLICA', 'REQUESTS', 'ERRORS', 'IN-FLIGHT', 'P50', 'P99', 'STATE'],
      rows,
    ),
  ].join('\n');
}
