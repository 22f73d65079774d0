import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { engineDeps } from '../cli/composition.js';
import { downProject } from '../core/engine/down.js';
import { stopSupervisor } from '../cli/supervisor-process.js';
import { success } from '../ui/lines.js';
import { removeSwarmStack } from '../cli/swarm.js';

export default class Down extends OrchCommand {
  static override summary = "Stop and remove the project's containers and networks.";
  static override description =
    "Dependents stop before their dependencies. Named volumes survive unless --volumes. Only what carries this project's dev.orch.project label is touched.";
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --volumes --timeout 2'];
  static override flags = {
    volumes: Flags.boolean({ char: 'v', description: "also remove the project's named volumes" }),
    timeout: Flags.integer({
      char: 't',
      description: 'seconds to wait for a graceful stop before killing',
      min: 0,
    }),
    target: Flags.string({
      description: 'remove the project from this engine instead (swarm: its stack)',
      options: ['swarm'],
    }),
  };
  static override enableJsonFlag = true;

  /** What was removed: the project's name and the containers, networks and volumes by name. */
  async run(): Promise<DownResult | SwarmDownResult> {
    const { flags } = await this.parse(Down);
    const { project } = await loadFromFlags(flags);
    const style = this.errStyle();
    if (flags.target === 'swarm') return this.downSwarm(project.name, flags.volumes);
    const deps = engineDeps({ projectDir: project.projectDir });
    await deps.docker.ping();
    // The supervisor goes first, so it does not restart what down is stopping.
    if (await stopSupervisor(project)) this.say('supervisor: stopped');
    const result = await downProject(
      project,
      {
        removeVolumes: flags.volumes,
        ...(flags.timeout !== undefined ? { timeoutS: flags.timeout } : {}),
        onEvent: (e) => this.say(`${e.type} ${e.name}: ${e.action}`),
      },
      deps,
    );
    this.say(
      success(
        style,
        `${project.name}: removed ${result.containers.length} container(s), ${result.networks.length} network(s), ${result.volumes.length} volume(s)`,
      ),
    );
    return { project: project.name, ...result };
  }

  private async downSwarm(stack: string, volumes: boolean): Promise<SwarmDownResult> {
    const result = await removeSwarmStack(stack, volumes);
    this.say(
      success(
        this.errStyle(),
        `${stack}: removed stack (${result.services} service(s), ${result.networks} network(s), ${result.volumes.length} volume(s))`,
      ),
    );
    return { project: stack, target: 'swarm', ...result };
  }
}

export type SwarmDownResult = { project: string; target: 'swarm' } & Awaited<
  ReturnType<typeof removeSwarmStack>
>;

export type DownResult = { project: string } & Awaited<ReturnType<typeof downProject>>;
