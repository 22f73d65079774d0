import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { runningDashboard } from '../cli/running-stack.js';
import { openInBrowser } from '../cli/open-browser.js';

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
    const url = await runningDashboard(project);
    this.out(url);
    if (flags.open && !(await openInBrowser(url)))
      this.say('orch: no browser to open here; the URL is above');
    return { url };
  }
}

export interface DashboardResult {
  url: string;
}
