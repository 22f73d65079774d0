import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { engineDeps } from '../cli/composition.js';
import { psProject } from '../core/engine/ps.js';
import { renderPs } from '../ui/ps-view.js';

export default class Ps extends OrchCommand {
  static override summary =
    'One row per replica: service, replica, container, state, health, restarts, ports, uptime.';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json'];
  static override flags = {
    json: Flags.boolean({
      description: 'an array of {service, replica, container, state, health, restarts, ports, startedAt}',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const { project } = await loadFromFlags(flags);
    const rows = await psProject(project, engineDeps().docker);
    if (flags.json) return this.printJson(rows);
    this.out(renderPs(rows, Date.now(), this.outStyle()));
  }
}
