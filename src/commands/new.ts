import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import {
  pathExists,
  readTemplates,
  removeFolder,
  templateDirs,
  writeFileAtomic,
  writeFolderAtomic,
} from '../adapters/scaffold-fs.js';
import { planScaffold, serviceNameProblem, type ScaffoldPlan } from '../core/scaffold/index.js';
import { isOrchError, OrchError } from '../errors/index.js';
import type { Project } from '../model/project.js';
import { renderInsertions, renderNewResult, type NewResult } from '../ui/scaffold-view.js';

export default class New extends OrchCommand {
  static override summary =
    'Scaffold a service from a template and add it (health, watch rules, gateway route) to the project file.';
  static override description =
    'Writes the files into ./NAME/ (or --dir) all at once, then adds the service at the end of `services:` and a route /NAME to x-orch.gateway.routes, keeping the rest of the file byte for byte. Refuses (exit 2, nothing written) an invalid name, an existing service or folder, an unknown template, or a port another service uses.';
  static override args = {
    template: Args.string({ required: true, description: 'template name (`orch templates` lists them)' }),
    name: Args.string({ required: true, description: 'the new service: lower case a-z, 0-9, _ and -' }),
  };
  static override examples = [
    '<%= config.bin %> new node-http payments',
    '<%= config.bin %> new node-worker mailer --dry-run',
    '<%= config.bin %> new static-site docs --port 8001 --dir web/docs',
    '<%= config.bin %> new my-template billing --templates ./templates',
  ];
  static override flags = {
    port: Flags.integer({
      description: "container port (default: the template's, or the next free one)",
      min: 1,
      max: 65535,
    }),
    dir: Flags.string({ description: 'folder for the files (default: NAME beside the project file)' }),
    templates: Flags.string({ description: 'a folder of your own templates (before the built-in ones)' }),
    var: Flags.string({ multiple: true, description: 'set a template variable: KEY=VALUE (repeatable)' }),
    'no-route': Flags.boolean({ description: 'do not add a gateway route' }),
    'dry-run': Flags.boolean({ description: 'show what would be written, write nothing' }),
  };
  /** --json: what was (or, with --dry-run, would be) written, and what to run next. */
  static override enableJsonFlag = true;

  async run(): Promise<NewResult> {
    const { args, flags } = await this.parse(New);
    const problem = serviceNameProblem(args.name);
    if (problem)
      throw new OrchError('USAGE', `invalid service name: ${problem}`, {
        hint: 'a service name is lower case: a-z, 0-9, _ and -, starting with a letter or digit',
      });
    const { project, file, text } = await this.projectFile(flags);
    const projectDir = project?.projectDir ?? process.cwd();
    const set = await readTemplates(templateDirs(flags.templates, project?.orch.templates));
    const bad = set.invalid.get(args.template);
    if (bad) throw bad;
    const template = set.templates.find((t) => t.manifest.name === args.template);
    if (!template)
      throw new OrchError('USAGE', `unknown template \`${args.template}\``, {
        hint: `known templates: ${set.templates.map((t) => t.manifest.name).join(', ')}`,
      });
    const target = flags.dir ? resolve(flags.dir) : join(projectDir, args.name);
    if (await pathExists(target))
      throw new OrchError('USAGE', `${target} already exists`, { hint: 'choose another NAME or --dir' });
    const plan = planScaffold({
      template,
      name: args.name,
      dir: relDir(projectDir, target),
      project,
      projectFile: file,
      projectText: text,
      given: {
        ...parseVars(flags.var ?? []),
        ...(flags.port !== undefined ? { port: String(flags.port) } : {}),
      },
      route: !flags['no-route'],
    });
    const result = this.describe(
      plan,
      template.manifest.name,
      args.name,
      target,
      file,
      text === '' && !project,
      project,
      flags['dry-run'],
    );
    if (flags['dry-run']) {
      if (this.jsonEnabled()) return result;
      this.out(
        renderInsertions(
          shown(file),
          plan.edit.insertions.map((i) => i.text),
        ),
      );
      this.say(renderNewResult(result, this.errStyle()));
      return result;
    }
    await writeFolderAtomic(target, plan.rendered.files);
    try {
      await writeFileAtomic(file, plan.edit.text);
    } catch (err) {
      await removeFolder(target);
      throw err;
    }
    if (!this.jsonEnabled()) this.say(renderNewResult(result, this.errStyle()));
    return result;
  }

  /** The loaded project (all profiles, so every service counts) and the file to edit; a new orch.yaml when there is none. */
  private async projectFile(
    flags: Parameters<typeof loadFromFlags>[0],
  ): Promise<{ project: Project | undefined; file: string; text: string }> {
    try {
      const { project } = await loadFromFlags({ ...flags, profile: flags.profile ?? ['*'] });
      const file = project.files[0] ?? join(project.projectDir, 'orch.yaml');
      return { project, file, text: await readFile(file, 'utf8') };
    } catch (err) {
      if (!isOrchError(err) || err.code !== 'PROJECT_NOT_FOUND' || flags.file?.length) throw err;
      return { project: undefined, file: join(process.cwd(), 'orch.yaml'), text: '' };
    }
  }

  private describe(
    plan: ScaffoldPlan,
    templateName: string,
    name: string,
    target: string,
    file: string,
    created: boolean,
    project: Project | undefined,
    dryRun: boolean,
  ): NewResult {
    const service = plan.rendered.service;
    const orch = service['x-orch'] as { probe?: Record<string, unknown> } | undefined;
    const health = service['healthcheck']
      ? 'Docker healthcheck'
      : `x-orch probe (${Object.keys(orch?.probe ?? {})
          .filter((k) => ['http', 'tcp', 'exec', 'log'].includes(k))
          .join('')})`;
    const watch = (service['develop'] as { watch?: unknown[] } | undefined)?.watch?.length ?? 0;
    const addedRoute = plan.route;
    const gatewayPort = project?.orch.gateway?.port ?? 8080;
    const next = [`orch up -d --wait --build ${name}`];
    if (addedRoute) next.push(`curl http://127.0.0.1:${gatewayPort}${addedRoute.path}/`);
    else next.push(`orch logs -f ${name}`);
    return {
      template: templateName,
      service: name,
      dir: shown(target),
      files: plan.rendered.files.map((f) => f.path),
      projectFile: shown(file),
      createdProjectFile: created,
      ...(typeof plan.vars['port'] === 'number' ? { port: plan.vars['port'] } : {}),
      ...(addedRoute ? { route: { path: addedRoute.path, port: addedRoute.port } } : {}),
      health,
      watchRules: watch,
      companionsAdded: plan.companionsAdded,
      companionsReused: plan.companionsReused,
      notes: plan.notes,
      next,
      dryRun,
    };
  }
}

/** `./payments`, `./web/docs` or `../shared/x`: how compose files name a build context. */
function relDir(projectDir: string, target: string): string {
  const rel = relative(projectDir, target).split(sep).join('/');
  if (isAbsolute(rel)) return rel;
  return rel.startsWith('../') ? rel : `./${rel}`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? basename(path) : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function parseVars(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new OrchError('USAGE', `--var wants KEY=VALUE, got \`${p}\``);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
