import { renderTable } from './table.js';

/** One replica's figures as `orch stats --json` prints them (the control API's `GET /stats`). */
export interface StatsRow {
  readonly service: string;
  readonly replica: number;
  readonly container: string;
  readonly id: string;
  readonly cpuPercent?: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly memoryPercent?: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly pids?: number;
}

/** As `docker stats` shows them: memory in binary units, network in decimal ones. */
export function renderStats(rows: readonly StatsRow[]): string {
  return renderTable(
    ['SERVICE', 'REPLICA', 'CONTAINER', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'PIDS'],
    rows.map((r) => [
      r.service,
      String(r.replica),
      r.container,
      r.cpuPercent === undefined ? '--' : `${r.cpuPercent.toFixed(2)}%`,
      `${binary(r.memoryBytes)} / ${binary(r.memoryLimitBytes)}`,
      r.memoryPercent === undefined ? '--' : `${r.memoryPercent.toFixed(2)}%`,
      `${decimal(r.rxBytes)} / ${decimal(r.txBytes)}`,
      r.pids === undefined ? '--' : String(r.pids),
    ]),
  );
}

function binary(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}B` : `${v.toFixed(2)}${units[i]}`;
}

function decimal(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v}B` : `${v.toFixed(v < 10 ? 2 : 1)}${units[i]}`;
}
