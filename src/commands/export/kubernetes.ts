import { Flags } from '@oclif/core';
import { OrchCommand } from '../../cli/base-command.js';
import { exportInput, writeOutputs } from '../../cli/export.js';
import { loadFromFlags } from '../../cli/load-project.js';
import { assertValid, fileNameOf, kustomization, toKubernetes } from '../../core/export/index.js';
import { renderDiagnostics } from '../../ui/errors.js';
import { renderExportWarnings, yamlDocument, yamlStream } from '../../ui/export-view.js';

export default class ExportKubernetes extends OrchCommand {
  static override summary =
    'Translate the project into Kubernetes objects (validated against the API schemas).';
  static override description =
    'Deployments (Jobs for one-shot services), headless Services, an Ingress per gateway route, PersistentVolumeClaims, ConfigMaps and Secrets, and with -o a kustomization.yaml. Every object is validated before anything is written; keys without a faithful translation are warned about on stderr.';
  static override examples = [
    '<%= config.bin %> export kubernetes | kubectl apply -f -',
    '<%= config.bin %> export kubernetes -o k8s/ && kubectl apply -k k8s/',
  ];
  static override flags = {
    output: Flags.string({
      char: 'o',
      description: 'write one file per object and a kustomization.yaml into this directory',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ExportKubernetes);
    const { project, warnings } = await loadFromFlags(flags);
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, this.errStyle()));
    const out = toKubernetes(await exportInput(project));
    assertValid(out.objects);
    if (out.warnings.length > 0) this.say(renderExportWarnings('kubernetes', out.warnings, this.errStyle()));
    if (flags.output === undefined) return this.out(yamlStream(out.objects));
    const files = new Map<string, string>(out.objects.map((o) => [fileNameOf(o), yamlDocument(o)]));
    files.set('kustomization.yaml', yamlDocument(kustomization(out.objects)));
    await writeOutputs(flags.output, files);
    this.say(`wrote ${files.size} files to ${flags.output}`);
  }
}
