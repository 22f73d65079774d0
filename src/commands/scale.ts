import { Args } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { runningStack } from '../cli/running-stack.js';
import type { StatusRow } from '../core/reconciler/status.js';
import { OrchError } from '../errors/index.js';
import { renderPs } from '../ui/ps-view.js';

export default class Scale extends OrchCommand {
  static override summary = 'Change the number of replicas of services; the gateway follows.';
  static override description =
    'Needs the project to be up (`orch up` or `orch up -d`). Replicas are removed highest index first. The change lasts until the next `orch up`, which applies the file again.';
  static override strict = false;
  static override args = { scale: Args.string({ required: true, description: 'SERVICE=N pairs' }) };
  static override examples = ['<%= config.bin %> scale api=3', '<%= config.bin %> scale api=1 worker=2'];
  /** --json: the replicas afterwards, as `orch ps --json` prints them. */
  static override enableJsonFlag = true;

  async run(): Promise<StatusRow[]> {
    const { flags, argv } = await this.parse(Scale);
    const { project } = await loadFromFlags(flags);
    const scales: Record<string, number> = {};
    for (const arg of argv as string[]) {
      const m = /^([a-zA-Z0-9._-]+)=(\d+)$/.exec(arg);
      if (!m?.[1] || m[2] === undefined)
        throw new OrchError('USAGE', `"${arg}" is not SERVICE=N`, { hint: 'e.g. `orch scale api=3`' });
      if (!(m[1] in project.services))
        throw new OrchError('USAGE', `no service named "${m[1]}"`, {
          hint: `services: ${Object.keys(project.services).join(', ')}`,
        });
      scales[m[1]] = Number(m[2]);
    }
    const client = await runningStack(project);
    const res = await client.call<{ rows: StatusRow[] }>('POST', '/scale', { scales });
    this.out(renderPs(res.rows, Date.now(), this.outStyle()));
    return res.rows;
  }
}
