import type { GatewayStats } from '../adapters/gateway/index.js';
import { renderTable } from './table.js';

export function renderGatewayStats(address: { host: string; port: number }, stats: GatewayStats): string {
  const ms = (n: number): string => `${n.toFixed(1)}ms`;
  const rows: string[][] = [];
  for (const r of stats.routes) {
    rows.push([
      r.route,
      r.service,
      '*',
      String(r.requests),
      String(r.errors),
      String(r.inFlight),
      ms(r.p50Ms),
      ms(r.p99Ms),
      r.balance,
    ]);
    for (const x of r.replicas)
      rows.push([
        '',
        '',
        x.replica,
        String(x.requests),
        String(x.errors),
        String(x.inFlight),
        ms(x.p50Ms),
        ms(x.p99Ms),
        x.ejected ? 'ejected' : x.healthy ? 'in rotation' : 'out',
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
