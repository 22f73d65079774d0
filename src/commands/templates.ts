import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { readTemplates, templateDirs } from '../adapters/scaffold-fs.js';
import type { Template } from '../core/scaffold/index.js';
import { isOrchError, OrchError } from '../errors/index.js';
import { renderError } from '../ui/errors.js';
import { renderTemplates } from '../ui/scaffold-view.js';

export default class Templates extends OrchCommand {
  static override summary =
    'List the templates `orch new` can use: built-in, and yours (--templates, x-orch.templates).';
  static override examples = [
    '<%= config.bin %> templates',
    '<%= config.bin %> templates --json --templates ./my-templates',
  ];
  static override description =
    '--json prints an array of {name, description, source, variables: [{name, description, type, default}]}.';
  static override enableJsonFlag = true;
  static override flags = {
    templates: Flags.string({ description: 'a folder of your own templates (before the built-in ones)' }),
  };

  async run(): Promise<TemplateEntry[]> {
    const { flags } = await this.parse(Templates);
    const projectTemplates = await loadFromFlags(flags).then(
      (r) => r.project.orch.templates,
      (err: unknown) => {
        // No project here is fine: the built-in templates are still worth listing.
        if (isOrchError(err) && err.code === 'PROJECT_NOT_FOUND') return undefined;
        throw err;
      },
    );
    const { templates, invalid } = await readTemplates(templateDirs(flags.templates, projectTemplates));
    const entries: TemplateEntry[] = templates.map((t) => ({
      name: t.manifest.name,
      description: t.manifest.description,
      source: t.source,
      variables: t.manifest.variables,
    }));
    this.out(renderTemplates(templates, this.outStyle()));
    if (invalid.size === 0) return entries;
    const summary = `${invalid.size} template${invalid.size === 1 ? ' is' : 's are'} invalid: ${[...invalid.keys()].join(', ')}`;
    // The valid ones are still listed; with --json the problems ride in the one error object.
    if (this.jsonEnabled()) {
      const diagnostics = [...invalid.values()].flatMap((e) => e.diagnostics);
      return this.failWith(entries, new OrchError('USAGE', summary, { diagnostics }));
    }
    for (const err of invalid.values()) this.say(renderError(err, this.errStyle()));
    throw new OrchError('USAGE', summary);
  }
}

export interface TemplateEntry {
  name: string;
  description: string;
  source: string;
  variables: Template['manifest']['variables'];
}
