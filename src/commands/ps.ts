import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { psRows } from '../cli/ps-rows.js';
import { renderPs } from '../ui/ps-view.js';
import type { StatusRow } from '../core/reconciler/status.js';
import { Flags } from '@oclif/core';
import { swarmTasks } from '../cli/swarm.js';
import type { SwarmTask } from '../core/swarm/ports.js';
import { renderSwarmTasks } from '../ui/swarm-view.js';

export default class Ps extends OrchCommand {
  static override summary =
    'One row per replica: service, replica, container, state, health, restarts, ports, uptime.';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json'];
  static override description =
    '--json prints an array of {service, replica, container, state, health, restarts, ports, startedAt}.';
  static override enableJsonFlag = true;
  static override flags = {
    target: Flags.string({
      description: 'show the project on this engine instead (swarm: one row per task)',
      options: ['swarm'],
    }),
  };

  // A plain `orch ps` with a cached project model is answered before oclif starts (cli/fast-path.ts).
  async run(): Promise<StatusRow[] | SwarmTask[]> {
    const { flags } = await this.parse(Ps);
    const { project } = await loadFromFlags(flags);
    if (flags.target === 'swarm') {
      const tasks = await swarmTasks(project.name);
      this.out(renderSwarmTasks(project.name, tasks));
      return tasks;
    }
    const rows = await psRows(project);
    this.out(renderPs(rows, Date.now(), this.outStyle()));
    return rows;
  }
}
