import type { ReplicaStats } from '../core/stats/sampler.js';
import { renderTable } from './table.js';

/** As `docker stats` shows them: memory in binary units, network in decimal ones. */
export function renderStats(rows: readonly ReplicaStats[]): string {
  return renderTable(
    ['SERVICE', 'REPLICA', 'CONTAINER', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'PIDS'],
    rows.map((r) => [
      r.service,
      String(r.replica),
      r.container,
      r.cpuPercent === undefined ? '--' : `${r.cpuPercent.toFixed(2)}%`,
      `${binary(r.memoryBytes)} / ${binary(r.memoryLimitBytes)}`,
      r.memoryPercent === undefined ? '--' : `${r.memoryPercent.toFixed(2)}%`,
      // A host process has no network of its own to count.
      r.rxBytes === undefined || r.txBytes === undefined
        ? '--'
        : `${decimal(r.rxBytes)} / ${decimal(r.txBytes)}`,
      r.pids === undefined ? '--' : String(r.pids),
    ]),
  );
}

/** `docker stats` home-and-clear redraw: the table replaces the previous one in place. */
export function redrawStats(rows: readonly ReplicaStats[]): string {
  return `\x1b[H\x1b[J${renderStats(rows)}\n`;
}

const binary = (n: number): string => scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB'], () => 2);
const decimal = (n: number): string =>
  scaled(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB'], (v) => (v < 10 ? 2 : 1));

function scaled(n: number, step: number, units: readonly string[], digits: (v: number) => number): string {
  let v = n;
  let i = 0;
  while (v >= step && i < units.length - 1) {
    v /= step;
    i++;
  }
  return i === 0 ? `${v}B` : `${v.toFixed(digits(v))}${units[i]}`;
}
