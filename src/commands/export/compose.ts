import { OrchCommand } from '../../cli/base-command.js';
import { loadFromFlags } from '../../cli/load-project.js';
import { toComposeForEngine } from '../../core/export/index.js';
import { toComposeCanonical } from '../../project/index.js';
import { renderDiagnostics } from '../../ui/errors.js';
import { renderExportWarnings, yamlDocument } from '../../ui/export-view.js';

export default class ExportCompose extends OrchCommand {
  static override summary =
    'Print the resolved project as a compose file for another engine (no x-orch keys).';
  static override description =
    'Interpolated, merged and with defaults applied, as `orch config`, without orch’s own keys: orch’s probes become healthchecks the containers run themselves. Keys another engine cannot express are warned about on stderr.';
  static override examples = ['<%= config.bin %> export compose > compose.resolved.yaml'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportCompose);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const out = toComposeForEngine(toComposeCanonical(project), project);
    if (out.warnings.length > 0) this.say(renderExportWarnings('compose', out.warnings, this.errStyle()));
    this.out(yamlDocument(out.doc));
  }
}
