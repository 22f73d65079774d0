import { describe, expect, it } from 'vitest';
import { redrawStats, renderStats } from '../../../src/ui/stats-view.js';

const row = {
  service: 'api',
  replica: 1,
  id: 'abc',
  container: 'p-api-1',
  at: 0,
  memoryBytes: 512,
  memoryLimitBytes: 256 * 1024 * 1024,
  rxBytes: 1500,
  txBytes: 15_000,
};

describe('renderStats', () => {
  it('shows memory in binary units and network in decimal ones, as docker stats does', () => {
    const [head, line] = renderStats([{ ...row, cpuPercent: 3.5, memoryPercent: 0.1, pids: 4 }]).split('\n');
    expect(head).toMatch(
      /^SERVICE\s+REPLICA\s+CONTAINER\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+PIDS/,
    );
    expect(line).toMatch(
      /^api\s+1\s+p-api-1\s+3\.50%\s+512B \/ 256\.00MiB\s+0\.10%\s+1\.50kB \/ 15\.0kB\s+4$/,
    );
  });

  it('shows -- for figures the stack does not have yet', () => {
    const line = renderStats([row]).split('\n')[1];
    expect(line).toMatch(/^api\s+1\s+p-api-1\s+--\s+512B \/ 256\.00MiB\s+--\s+1\.50kB \/ 15\.0kB\s+--$/);
  });

  it('shows -- for the network of a host process (it has none of its own)', () => {
    const { rxBytes: _rx, txBytes: _tx, ...proc } = { ...row, container: 'p-web-1', cpuPercent: 42, pids: 2 };
    const line = renderStats([proc]).split('\n')[1];
    expect(line).toMatch(/^api\s+1\s+p-web-1\s+42\.00%\s+512B \/ 256\.00MiB\s+--\s+--\s+2$/);
  });

  it('redraws in place: home, clear to the end, then the table', () => {
    expect(redrawStats([row])).toBe(`\x1b[H\x1b[J${renderStats([row])}\n`);
  });
});
