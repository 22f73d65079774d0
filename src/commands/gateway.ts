import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { runningStack } from '../cli/running-stack.js';
import type { GatewayStats } from '../adapters/gateway/index.js';
import { renderGatewayStats } from '../ui/gateway-view.js';

export default class GatewayCmd extends OrchCommand {
  static override summary =
    'Gateway statistics per route and replica: requests, errors, in-flight, p50/p99 latency.';
  static override examples = ['<%= config.bin %> gateway', '<%= config.bin %> gateway --json'];
  static override enableJsonFlag = true;

  async run(): Promise<GatewayResult> {
    const { flags } = await this.parse(GatewayCmd);
    const { project } = await loadFromFlags(flags);
    const client = await runningStack(project);
    const res = await client.call<GatewayResult>('GET', '/gateway');
    this.out(renderGatewayStats(res.address, res.stats));
    return res;
  }
}

/** The gateway's address and its statistics per route and replica, as the supervisor reports them. */
export interface GatewayResult {
  address: { host: string; port: number };
  stats: GatewayStats;
}
