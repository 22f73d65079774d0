import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { deployToSwarm } from '../cli/swarm.js';
import type { SwarmDeployResult } from '../core/swarm/deploy.js';
import { renderDiagnostics } from '../ui/errors.js';
import { renderSwarmEvent } from '../ui/swarm-view.js';
import { success } from '../ui/lines.js';

export default class Deploy extends OrchCommand {
  static override summary =
    'Deploy the project to a distributed engine: a Docker Swarm stack named after the project.';
  static override description =
    'Builds the images and tags them by content, deploys the services in dependency order (each wave once the one before is healthy; one-shot jobs run to completion first) and orch’s gateway as a service on the gateway port. The engine must be a swarm manager.';
  static override examples = [
    '<%= config.bin %> deploy --target swarm',
    '<%= config.bin %> deploy --target swarm --push registry.example.com:5000',
  ];
  static override flags = {
    target: Flags.string({ description: 'the engine to deploy to', options: ['swarm'], required: true }),
    push: Flags.string({
      description: 'push built images to this registry (a multi-node swarm pulls from it)',
    }),
    timeout: Flags.integer({
      description: 'seconds each service may take to converge',
      default: 300,
      min: 1,
    }),
  };
  static override enableJsonFlag = true;

  /** The stack, its services and the image each runs. */
  async run(): Promise<SwarmDeployResult> {
    const { flags } = await this.parse(Deploy);
    const { project, warnings } = await loadFromFlags(flags);
    const style = this.errStyle();
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, style));
    const result = await deployToSwarm(project, this.config.root, {
      ...(flags.push ? { push: flags.push } : {}),
      timeoutMs: flags.timeout * 1000,
      onEvent: (e) => this.say(renderSwarmEvent(e, style)),
    });
    this.say(
      success(
        style,
        `${project.name}: deployed to the swarm as stack ${result.stack} (${result.services.length} services)`,
      ),
    );
    return result;
  }
}
