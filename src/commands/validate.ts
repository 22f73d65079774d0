import { relative } from 'node:path';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import type { Diagnostic } from '../errors/index.js';
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

  /** --json: the result (files, services, warnings) on stdout; problems as the error object on stderr. */
  static override enableJsonFlag = true;

  async run(): Promise<ValidateResult> {
    const { flags } = await this.parse(Validate);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const services = Object.keys(project.services).length;
    const result = { valid: true as const, name: project.name, files: project.files, services, warnings };
    if (this.jsonEnabled()) return result;
    const shown = project.files.map((f) => relative(process.cwd(), f) || f).join(', ');
    this.say(success(this.errStyle(), `${shown}: valid (${services} service${services === 1 ? '' : 's'})`));
    return result;
  }
}

export interface ValidateResult {
  valid: true;
  name: string;
  files: readonly string[];
  services: number;
  warnings: readonly Diagnostic[];
}
