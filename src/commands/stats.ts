import { setMaxListeners } from 'node:events';
import { Args, Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { onInterrupt } from '../cli/interrupt.js';
import { readStats } from '../cli/running-stack.js';
import { OrchError } from '../errors/index.js';
import { renderStats, type StatsRow } from '../ui/stats-view.js';

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

  async run(): Promise<StatsRow[]> {
    const { flags, argv } = await this.parse(Stats);
    const { project } = await loadFromFlags(flags);
    const services = new Set(argv.map(String));
    for (const s of services)
      if (!(s in project.services))
        throw new OrchError('USAGE', `no such service: ${s}`, {
          hint: `services: ${Object.keys(project.services).join(', ')}`,
        });
    const read = async (): Promise<StatsRow[]> =>
      (await readStats(project)).filter((r) => services.size === 0 || services.has(r.service));
    const rows = await read();
    if (this.jsonEnabled() || flags['no-stream'] || !process.stdout.isTTY) {
      this.out(renderStats(rows));
      return rows;
    }
    const interrupt = onInterrupt();
    setMaxListeners(0, interrupt.signal);
    try {
      let current = rows;
      while (!interrupt.signal.aborted) {
        // Home and clear to the end: the table redraws in place, as `docker stats` does.
        process.stdout.write(`\x1b[H\x1b[J${renderStats(current)}\n`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, REFRESH_MS);
          interrupt.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        if (!interrupt.signal.aborted) current = await read();
      }
    } finally {
      interrupt.dispose();
    }
    return [];
  }
}
