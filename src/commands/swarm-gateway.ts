import { OrchCommand } from '../cli/base-command.js';
import { runSwarmGateway } from '../cli/swarm-gateway.js';

export default class SwarmGateway extends OrchCommand {
  static override hidden = true;
  static override summary =
    'Serve orch’s gateway inside a Swarm service (started by orch deploy --target swarm; settings in ORCH_GATEWAY).';

  async run(): Promise<void> {
    await this.parse(SwarmGateway);
    const stop = new AbortController();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
    await runSwarmGateway(process.env['ORCH_GATEWAY'], stop.signal, (l) => this.out(l));
  }
}
