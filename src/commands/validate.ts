import { relative } from 'node:path';
import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { renderDiagnostics } from '../ui/errors.js';
import { success } from '../ui/lines.js';

export default class Validate extends OrchCommand {
  static override description =
    'Check the project file(s) and exit; every problem is listed with file:line:column.';

  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate -f compose.yaml -f compose.override.yaml',
    '<%= config.bin %> validate --env-file .env.ci --json',
  ];

  static override flags = {
    json: Flags.boolean({ description: 'print the result (files, services, warnings) as JSON on stdout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const services = Object.keys(project.services).length;
    if (flags.json) {
      this.printJson({ valid: true, name: project.name, files: project.files, services, warnings });
      return;
    }
    const shown = project.files.map((f) => relative(process.cwd(), f) || f).join(', ');
    this.say(success(this.errStyle(), `${shown}: valid (${services} service${services === 1 ? '' : 's'})`));
  }
}
