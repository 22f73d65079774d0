import { Flags } from '@oclif/core';
import { basename, dirname, resolve } from 'node:path';
import { OrchCommand } from '../../cli/base-command.js';
import { exportInput, writeOutputs } from '../../cli/export.js';
import { loadFromFlags } from '../../cli/load-project.js';
import { gatewayImageName } from '../../cli/swarm-gateway-image.js';
import { oneShotServices, toSwarmStack } from '../../core/export/index.js';
import { renderDiagnostics } from '../../ui/errors.js';
import { renderExportWarnings, yamlDocument } from '../../ui/export-view.js';

export default class ExportSwarm extends OrchCommand {
  static override summary = 'Print the Swarm stack file that `orch deploy --target swarm` deploys.';
  static override description =
    'Compose file format 3.x for `docker stack deploy`: replicas, restart policies, healthchecks (orch’s http/tcp/exec probes included), overlay networks, named volumes, secrets and configs, and orch’s gateway as a service. Keys Swarm cannot express are warned about on stderr.';
  static override examples = [
    '<%= config.bin %> export swarm',
    '<%= config.bin %> export swarm -o stack.yaml',
  ];
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write the stack file here instead of stdout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportSwarm);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const stack = toSwarmStack(
      await exportInput(project),
      { image: gatewayImageName(this.config.version) },
      oneShotServices(project),
    );
    if (stack.warnings.length > 0) this.say(renderExportWarnings('swarm', stack.warnings, this.errStyle()));
    const text = yamlDocument(stack.doc);
    if (flags.output === undefined) return this.out(text);
    const path = resolve(flags.output);
    await writeOutputs(dirname(path), new Map([[basename(path), text]]));
    this.say(`wrote ${flags.output}`);
  }
}
