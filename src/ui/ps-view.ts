import type { ChalkInstance } from 'chalk';
import type { PsRow } from '../core/engine/ps.js';
import { formatDuration, renderTable } from './table.js';

export function renderPs(rows: readonly PsRow[], now: number, style: ChalkInstance): string {
  if (rows.length === 0) return 'no containers (run `orch up`)';
  const healthCell = (h: string): string =>
    h === 'healthy'
      ? style.green(h)
      : h === 'unhealthy'
        ? style.red(h)
        : h === 'none'
          ? '-'
          : style.yellow(h);
  const table = renderTable(
    ['SERVICE', 'REPLICA', 'CONTAINER', 'STATE', 'HEALTH', 'RESTARTS', 'UPTIME', 'PORTS'],
    rows.map((r) => [
      r.service,
      String(r.replica),
      r.pid !== undefined ? `${r.container} (pid ${r.pid})` : r.container,
      r.state,
      r.health === 'none' ? '-' : r.health,
      String(r.restarts),
      r.startedAt ? formatDuration(now - Date.parse(r.startedAt)) : '-',
      r.ports.join(', '),
    ]),
  );
  // Colour after layout so escape codes do not skew the column widths.
  return table
    .split('\n')
    .map((line, i) => (i === 0 ? style.bold(line) : colourHealth(line, healthCell)))
    .join('\n');
}

function colourHealth(line: string, cell: (h: string) => string): string {
  return line.replace(/\b(healthy|unhealthy|starting)\b/, (m) => cell(m));
}
