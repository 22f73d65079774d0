import type { Project } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import { editProjectText, type EditResult } from './edit-project.js';
import { serviceNameProblem } from './names.js';
import { isPlainObject, type VarValue } from './placeholders.js';
import { nextFreePort, portsInUse } from './ports.js';
import { renderTemplate, resolveVars, type Rendered, type RouteBlock } from './render.js';
import type { Template } from './types.js';

export interface ScaffoldRequest {
  readonly template: Template;
  readonly name: string;
  /** The new folder relative to the project directory, `./name` style with `/` separators. */
  readonly dir: string;
  /** Loaded with every profile enabled, so a profiled service still counts as existing. */
  readonly project: Project | undefined;
  readonly projectFile: string;
  readonly projectText: string;
  /** Values from the command line: `--port` and `--var key=value`. */
  readonly given: Readonly<Record<string, string>>;
  readonly route: boolean;
}

export interface ScaffoldPlan {
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly rendered: Rendered;
  readonly edit: EditResult;
  /** The gateway route added, if any. */
  readonly route?: RouteBlock;
  readonly companionsAdded: readonly string[];
  readonly companionsReused: readonly string[];
  /** Things the user should know (a port moved up, a companion reused). */
  readonly notes: readonly string[];
}

/** Everything `orch new` will do, decided before anything is written. Pure; throws USAGE refusals. */
export function planScaffold(req: ScaffoldRequest): ScaffoldPlan {
  const { template, name, project } = req;
  const problem = serviceNameProblem(name);
  if (problem) throw new OrchError('USAGE', `invalid service name: ${problem}`);
  if (project && name in project.services)
    throw new OrchError('USAGE', `service \`${name}\` already exists in ${req.projectFile}`, {
      hint: 'choose another name',
    });

  const notes: string[] = [];
  const given = { ...req.given };
  const takesPort = template.manifest.variables.some((v) => v.name === 'port');
  if (given['port'] !== undefined && !takesPort)
    throw new OrchError('USAGE', `template \`${template.manifest.name}\` takes no port`);
  const vars = resolveVars(template, name, req.dir, given);
  const used = project ? portsInUse(project) : new Map<number, string[]>();
  if (takesPort) {
    const port = vars['port'] as number;
    const users = used.get(port);
    if (users && given['port'] !== undefined)
      throw new OrchError('USAGE', `port ${port} is already used by ${users.join(', ')}`, {
        hint: 'choose another with --port N',
      });
    if (users) {
      vars['port'] = nextFreePort(port, used);
      notes.push(`port ${port} is used by ${users.join(', ')}; using ${vars['port']} (--port N to choose)`);
    }
  }

  const rendered = renderTemplate(template, vars);
  const added: string[] = [];
  const reused: string[] = [];
  for (const [companion, block] of Object.entries(rendered.companions)) {
    const existing = project?.services[companion];
    if (!existing) {
      added.push(companion);
      continue;
    }
    reused.push(companion);
    const waits =
      isPlainObject(rendered.service['depends_on']) && companion in rendered.service['depends_on'];
    if (waits && !existing.healthcheck && !existing.orch.probe)
      throw new OrchError(
        'USAGE',
        `\`${name}\` would wait for \`${companion}\` to be healthy, but \`${companion}\` has no healthcheck or x-orch probe`,
        {
          hint: `add one to \`${companion}\` (the template's own is ${JSON.stringify(block['healthcheck'] ?? null)})`,
        },
      );
    notes.push(`uses the existing service \`${companion}\``);
  }
  const route = req.route ? rendered.route : undefined;
  const edit = editProjectText(
    req.projectText,
    {
      services: [
        ...added.map((c) => ({ name: c, block: rendered.companions[c] ?? {} })),
        { name, block: rendered.service },
      ],
      ...(route ? { route } : {}),
    },
    req.projectFile,
  );
  return {
    vars,
    rendered,
    edit,
    ...(route ? { route } : {}),
    companionsAdded: added,
    companionsReused: reused,
    notes,
  };
}
