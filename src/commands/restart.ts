import { Args } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { runningStack } from '../cli/running-stack.js';
import type { StatusRow } from '../core/reconciler/status.js';
import { renderPs } from '../ui/ps-view.js';

export default class Restart extends OrchCommand {
  static override summary = "Restart a service's replicas one at a time, each healthy again before the next.";
  static override description =
    'Needs the project to be up (`orch up` or `orch up -d`): the supervisor does the rolling restart, and the gateway keeps serving from the other replicas.';
  static override strict = false;
  static override args = { service: Args.string({ required: true, description: 'services to restart' }) };
  static override examples = ['<%= config.bin %> restart api', '<%= config.bin %> restart api web'];
  /** --json: the replicas afterwards, as `orch ps --json` prints them. */
  static override enableJsonFlag = true;

  async run(): Promise<StatusRow[]> {
    const { flags, argv } = await this.parse(Restart);
    const { project } = await loadFromFlags(flags);
    const client = await runningStack(project);
    const res = await client.call<{ rows: StatusRow[] }>('POST', '/restart', { services: argv });
    this.out(renderPs(res.rows, Date.now(), this.outStyle()));
    return res.rows;
  }
}
