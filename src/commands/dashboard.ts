import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { controlClient } from '../cli/supervisor-process.js';
import { openInBrowser } from '../cli/open-browser.js';
import { OrchError } from '../errors/index.js';

export default class Dashboard extends OrchCommand {
  static override summary = "Print the URL of the running stack's dashboard (with its token).";
  static override description =
    'The dashboard is served by `orch up` (foreground or -d) on 127.0.0.1; the URL carries the token every request needs. --open also opens it in a browser when there is one.';
  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --open',
    '<%= config.bin %> dashboard --json',
  ];
  static override flags = {
    open: Flags.boolean({ description: 'open the dashboard in a browser, when there is one' }),
  };
  static override enableJsonFlag = true;

  async run(): Promise<DashboardResult> {
    const { flags } = await this.parse(Dashboard);
    const { project } = await loadFromFlags(flags);
    const client = controlClient(project);
    if (!(await client.alive()))
      throw new OrchError('USAGE', `${project.name} is not running under orch`, {
        hint: 'start it with `orch up` or `orch up -d`',
      });
    const status = await client.call<{ dashboard?: string | null }>('GET', '/status');
    if (!status.dashboard)
      throw new OrchError('USAGE', `${project.name} runs without a dashboard`, {
        hint: 'it was started with --no-dashboard; run `orch up -d` again without it',
      });
    this.out(status.dashboard);
    if (flags.open && !(await openInBrowser(status.dashboard)))
      this.say('orch: no browser to open here; the URL is above');
    return { url: status.dashboard };
  }
}

export interface DashboardResult {
  url: string;
}
