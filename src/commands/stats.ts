import { Args, Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { onInterrupt } from '../cli/interrupt.js';
import { readStats } from '../cli/running-stack.js';
import { OrchError } from '../errors/index.js';
import { systemClock } from '../adapters/clock.js';
import type { ReplicaStats } from '../core/stats/sampler.js';
import { sleepOrAbort } from '../core/probes/wait.js';
import { redrawStats, renderStats } from '../ui/stats-view.js';

/**
 * The pause between redraws. The stack answers once it has a reading newer than its ~2 s sampling
 * interval, so with this pause the table changes about every 2 s, as `docker stats` does.
 */
const REFRESH_MS = 1000;

export default class Stats extends OrchCommand {
  static override summary = 'CPU, memory, network and pids per running replica, like `docker stats`.';
  static override description =
    'Asks the running stack (foreground `orch up` or `orch up -d`). On a terminal the table is redrawn every 2 s until Ctrl-C; piped, or with --no-stream, one table is printed; --json prints one array and exits. Exit 2 when the stack is not running.';
  static override strict = false;
  static override args = { services: Args.string({ description: 'only replicas of these services' }) };
  static override examples = [
    '<%= config.bin %> stats',
    '<%= config.bin %> stats api --no-stream',
    '<%= config.bin %> stats --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'no-stream': Flags.boolean({ description: 'print one table and exit' }),
  };

  async run(): Promise<ReplicaStats[]> {
    const { flags, argv } = await this.parse(Stats);
    const { project } = await loadFromFlags(flags);
    const services = new Set(argv.map(String));
    for (const s of services)
      if (!(s in project.services))
        throw new OrchError('USAGE', `no such service: ${s}`, {
          hint: `services: ${Object.keys(project.services).join(', ')}`,
        });
    const read = async (): Promise<ReplicaStats[]> =>
      (await readStats(project)).filter((r) => services.size === 0 || services.has(r.service));
    const rows = await read();
    if (this.jsonEnabled() || flags['no-stream'] || !process.stdout.isTTY) {
      this.out(renderStats(rows));
      return rows;
    }
    const interrupt = onInterrupt();
    try {
      let current = rows;
      for (;;) {
        process.stdout.write(redrawStats(current));
        if (!(await sleepOrAbort(systemClock, REFRESH_MS, interrupt.signal))) break;
        current = await read();
      }
    } finally {
      interrupt.dispose();
    }
    return [];
  }
}
