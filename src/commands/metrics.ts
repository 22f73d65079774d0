import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { readMetrics } from '../cli/running-stack.js';

export default class Metrics extends OrchCommand {
  static override summary = "Print the running stack's /metrics (Prometheus text).";
  static override description =
    'The same text the dashboard server serves at /metrics to a scraper: gateway requests, latency, retries, in-flight and breaker state per route and replica; restarts, health, CPU, memory and network per replica. Exit 2 when the stack is not running.';
  static override examples = [
    '<%= config.bin %> metrics',
    '<%= config.bin %> metrics | grep orch_gateway_requests_total',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(Metrics);
    const { project } = await loadFromFlags(flags);
    this.out(await readMetrics(project));
  }
}
