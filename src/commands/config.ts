import { stringify } from 'yaml';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { toComposeCanonical } from '../project/index.js';
import { renderDiagnostics } from '../ui/errors.js';

export default class Config extends OrchCommand {
  static override description =
    'Print the fully resolved project (interpolated, defaults applied, files merged) in compose’s canonical shape.';

  static override examples = [
    '<%= config.bin %> config',
    '<%= config.bin %> config --json',
    '<%= config.bin %> config -f compose.yaml -f compose.dev.yaml --profile debug',
  ];

  static override enableJsonFlag = true;

  /** The project in compose's canonical shape (a plain object). */
  async run(): Promise<unknown> {
    const { flags } = await this.parse(Config);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const canonical = toComposeCanonical(project);
    // YAML 1.1 quoting: a 1.1 reader (and compose's own output) must not read `restart: no` as false.
    this.out(stringify(canonical, { lineWidth: 0, compat: 'yaml-1.1' }));
    return canonical;
  }
}
