import type { ChalkInstance } from 'chalk';
import type { Template } from '../core/scaffold/index.js';

export interface NewResult {
  readonly template: string;
  readonly service: string;
  /** The new folder, as shown to the user (relative to the current directory when inside it). */
  readonly dir: string;
  readonly files: readonly string[];
  readonly projectFile: string;
  readonly createdProjectFile: boolean;
  readonly port?: number;
  readonly route?: { readonly path: string; readonly port: number };
  readonly health: string;
  readonly watchRules: number;
  readonly companionsAdded: readonly string[];
  readonly companionsReused: readonly string[];
  readonly notes: readonly string[];
  readonly next: readonly string[];
  readonly dryRun: boolean;
}

export function renderNewResult(r: NewResult, style: ChalkInstance): string {
  const done = r.dryRun ? style.yellow('would') : style.green('✔');
  const verb = (past: string, base: string): string => (r.dryRun ? base : past);
  const lines = [
    `${done} ${verb('created', 'create')} ${r.dir}/ from ${r.template}: ${r.files.join(', ')}`,
    `${done} ${verb('added', 'add')} service ${style.bold(r.service)} to ${r.projectFile}${r.createdProjectFile ? ' (new file)' : ''}: ${r.health}${r.watchRules ? `, ${r.watchRules} develop.watch rule${r.watchRules === 1 ? '' : 's'}` : ''}`,
  ];
  for (const c of r.companionsAdded)
    lines.push(`${done} ${verb('added', 'add')} service ${c} (needed by ${r.template})`);
  if (r.route)
    lines.push(
      `${done} ${verb('added', 'add')} gateway route ${r.route.path} → ${r.service}:${r.route.port} (prefix stripped)`,
    );
  for (const n of r.notes) lines.push(style.dim(`  note: ${n}`));
  lines.push('', r.dryRun ? 'nothing was written (--dry-run)' : 'next:');
  if (!r.dryRun) for (const n of r.next) lines.push(`  ${n}`);
  return lines.join('\n');
}

/** The project-file text `--dry-run` would add, each insertion as a `+` block. */
export function renderInsertions(file: string, texts: readonly string[]): string {
  const body = texts.flatMap((t) =>
    t
      .replace(/\r?\n$/, '')
      .split(/\r?\n/)
      .map((l) => `+${l}`),
  );
  return [`--- ${file}`, ...body].join('\n');
}

export function renderTemplates(templates: readonly Template[], style: ChalkInstance): string {
  const width = Math.max(8, ...templates.map((t) => t.manifest.name.length));
  return templates
    .map((t) => {
      const vars = t.manifest.variables.map(
        (v) =>
          `--${v.name === 'port' ? 'port' : `var ${v.name}=`}${v.name === 'port' ? ` ${v.default}` : String(v.default)}`,
      );
      const src = t.source === 'builtin' ? '' : style.dim(` (${t.source})`);
      const head = `${style.bold(t.manifest.name.padEnd(width))}  ${t.manifest.description}${src}`;
      return vars.length
        ? `${head}\n${' '.repeat(width + 2)}${style.dim(`defaults: ${vars.join('  ')}`)}`
        : head;
    })
    .join('\n');
}
