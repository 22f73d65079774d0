import { OrchError } from '../../errors/index.js';
import { asText } from './manifest.js';
import { renderText, renderValue, type VarValue, type Vars } from './placeholders.js';
import type { RenderedFile, Template } from './types.js';

export interface RouteBlock {
  readonly path: string;
  readonly service: string;
  readonly port: number;
  readonly strip_prefix: boolean;
}

export interface Rendered {
  readonly vars: Vars;
  readonly files: readonly RenderedFile[];
  readonly service: Record<string, unknown>;
  readonly route?: RouteBlock;
  readonly companions: Readonly<Record<string, Record<string, unknown>>>;
}

/**
 * The template's variables for one service: orch's own (`name`, `dir`), then the manifest's
 * defaults, then the user's values (strings from the command line, checked against the type).
 */
export function resolveVars(
  template: Template,
  name: string,
  dir: string,
  given: Readonly<Record<string, string>>,
): Record<string, VarValue> {
  const vars: Record<string, VarValue> = { name, dir };
  const known = new Map(template.manifest.variables.map((v) => [v.name, v]));
  for (const v of template.manifest.variables) vars[v.name] = v.default;
  for (const [key, raw] of Object.entries(given)) {
    const spec = known.get(key);
    if (!spec) {
      const takes = [...known.keys()];
      throw new OrchError('USAGE', `template \`${template.manifest.name}\` has no variable \`${key}\``, {
        hint: takes.length ? `it takes: ${takes.join(', ')}` : 'it takes no variables',
      });
    }
    if (spec.type === 'integer') {
      const n = Number(raw);
      const isPort = key === 'port';
      if (!/^\d+$/.test(raw) || (isPort && (n < 1 || n > 65535)))
        throw new OrchError(
          'USAGE',
          `\`${key}\` must be ${isPort ? 'a port from 1 to 65535' : 'an integer'}, got \`${raw}\``,
        );
      vars[key] = n;
    } else vars[key] = raw;
  }
  return vars;
}

/** Files and project-file blocks with every placeholder filled in. Pure. */
export function renderTemplate(template: Template, vars: Vars): Rendered {
  const files = template.files.map((f) => {
    const text = asText(f.content);
    return {
      path: f.path,
      content: text === undefined ? f.content : new TextEncoder().encode(renderText(text, vars)),
    };
  });
  const service = renderValue(template.manifest.service, vars) as Record<string, unknown>;
  const companions = renderValue(template.manifest.companions, vars) as Record<
    string,
    Record<string, unknown>
  >;
  const r = template.manifest.route;
  let route: RouteBlock | undefined;
  if (r) {
    const port = renderValue(r.port, vars);
    const n = typeof port === 'number' ? port : Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new OrchError(
        'USAGE',
        `template \`${template.manifest.name}\`: route port \`${String(port)}\` is not a port`,
      );
    const name = String(vars['name']);
    route = { path: `/${name}`, service: name, port: n, strip_prefix: r.stripPrefix };
  }
  return { vars, files, service, ...(route ? { route } : {}), companions };
}
