import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { OrchError, type Diagnostic } from '../../errors/index.js';
import { isPlainObject, placeholdersIn, placeholdersInValue } from './placeholders.js';
import { serviceNameProblem } from './names.js';
import {
  BUILTIN_VARS,
  type Template,
  type TemplateFile,
  type TemplateManifest,
  type TemplateRoute,
  type TemplateVariable,
} from './types.js';

export interface ManifestInput {
  /** The template folder's name. */
  readonly folder: string;
  readonly dir: string;
  readonly source: string;
  readonly manifestPath: string;
  readonly manifestText: string;
  readonly files: readonly TemplateFile[];
}

const TOP_KEYS = new Set(['name', 'description', 'variables', 'service', 'route', 'companions']);
const VAR_KEYS = new Set(['description', 'type', 'default']);

/**
 * A template folder → a checked Template. Every problem is reported at once, at its line in the
 * manifest (or naming the file), so a template author fixes them in one pass.
 */
export function parseTemplate(input: ManifestInput): Template {
  const lc = new LineCounter();
  const doc = parseDocument(input.manifestText, { lineCounter: lc, prettyErrors: false });
  const problems: Diagnostic[] = [];
  const at = (path: readonly (string | number)[], message: string): void => {
    const p = lc.linePos(keyOffset(doc.contents, path));
    problems.push({ severity: 'error', file: input.manifestPath, line: p.line, col: p.col, message });
  };
  for (const e of doc.errors) at([], `YAML: ${e.message.split('\n')[0] ?? ''}`);
  const raw: unknown = doc.errors.length ? undefined : doc.toJS();
  if (!doc.errors.length && (!isMap(doc.contents) || !isPlainObject(raw)))
    at([], 'the manifest must be a mapping with name, description and service');
  const m = isPlainObject(raw) ? raw : {};

  for (const key of Object.keys(m)) if (!TOP_KEYS.has(key)) at([key], `unknown key \`${key}\``);
  const name = str(m['name']);
  if (name === undefined) at([], '`name` is required');
  else if (name !== input.folder)
    at(['name'], `\`name: ${name}\` must match the template's folder name \`${input.folder}\``);
  else if (serviceNameProblem(name)) at(['name'], `template name: ${serviceNameProblem(name) ?? ''}`);
  const description = str(m['description']);
  if (description === undefined) at([], '`description` is required (a string)');

  const variables = parseVariables(m['variables'], at);
  // Names declared but invalid count as declared: their own error is enough.
  const declared = new Set<string>([
    ...BUILTIN_VARS,
    ...Object.keys(isPlainObject(m['variables']) ? m['variables'] : {}),
  ]);
  const undeclared = (used: readonly string[]): string[] => used.filter((u) => !declared.has(u));

  const service = m['service'];
  if (!isPlainObject(service)) at(service === undefined ? [] : ['service'], '`service` must be a mapping');
  else {
    const hasHealth =
      service['healthcheck'] !== undefined ||
      (isPlainObject(service['x-orch']) && service['x-orch']['probe'] !== undefined);
    if (!hasHealth)
      at(
        ['service'],
        'the service needs a `healthcheck` or an `x-orch.probe`, so `up --wait` can tell it is up',
      );
  }
  const route = parseRoute(m['route'], at);
  const companions = m['companions'] ?? {};
  if (!isPlainObject(companions) || !Object.values(companions).every(isPlainObject))
    at(['companions'], '`companions` must map service names to service blocks');

  for (const [path, value] of [
    [['service'], service],
    [['route'], m['route']],
    [['companions'], companions],
  ] as const) {
    const bad = undeclared(placeholdersInValue(value));
    if (bad.length) at([...path], `undeclared placeholder${bad.length > 1 ? 's' : ''} ${fmt(bad)}`);
  }
  for (const file of input.files) {
    const text = asText(file.content);
    const bad = text === undefined ? [] : undeclared(placeholdersIn(text));
    if (bad.length)
      problems.push({
        severity: 'error',
        file: `${input.dir}/${file.path}`,
        line: 0,
        col: 0,
        message: `undeclared placeholder${bad.length > 1 ? 's' : ''} ${fmt(bad)} (declare it under \`variables:\` in ${input.manifestPath})`,
      });
  }

  if (problems.length > 0 || name === undefined || description === undefined || !isPlainObject(service)) {
    throw new OrchError('USAGE', `template \`${input.folder}\` (${input.dir}) is invalid`, {
      diagnostics: problems,
      hint: 'templates/README.md in orch describes the manifest format',
    });
  }
  const manifest: TemplateManifest = {
    name,
    description,
    variables,
    service,
    ...(route ? { route } : {}),
    companions: companions as Record<string, Record<string, unknown>>,
  };
  return { manifest, dir: input.dir, source: input.source, files: input.files };
}

/** Where the key at `path` is written (its value's start when the key is not found). */
function keyOffset(root: unknown, path: readonly (string | number)[]): number {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (const seg of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
    if (!pair) break;
    offset = (pair.key as Node).range?.[0] ?? offset;
    node = pair.value as Node | null;
  }
  return offset;
}

type At = (path: readonly (string | number)[], message: string) => void;

function parseVariables(v: unknown, at: At): TemplateVariable[] {
  if (v === undefined || v === null) return [];
  if (!isPlainObject(v)) {
    at(['variables'], '`variables` must map names to { description, type, default }');
    return [];
  }
  const out: TemplateVariable[] = [];
  for (const [name, spec] of Object.entries(v)) {
    const path = ['variables', name];
    if ((BUILTIN_VARS as readonly string[]).includes(name)) {
      at(path, `\`${name}\` is set by orch and cannot be declared`);
      continue;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      at(path, `variable name \`${name}\` must be an identifier (letters, digits, _)`);
      continue;
    }
    if (!isPlainObject(spec)) {
      at(path, `variable \`${name}\` must be a mapping with \`default\``);
      continue;
    }
    for (const k of Object.keys(spec)) if (!VAR_KEYS.has(k)) at([...path, k], `unknown key \`${k}\``);
    const type = spec['type'] ?? (typeof spec['default'] === 'number' ? 'integer' : 'string');
    if (type !== 'string' && type !== 'integer') {
      at([...path, 'type'], '`type` is `string` or `integer`');
      continue;
    }
    const def = spec['default'];
    if (type === 'integer' ? !Number.isInteger(def) : typeof def !== 'string') {
      at([...path, 'default'], `\`default\` must be ${type === 'integer' ? 'an integer' : 'a string'}`);
      continue;
    }
    if (name === 'port' && (type !== 'integer' || (def as number) < 1 || (def as number) > 65535)) {
      at([...path, 'default'], '`port` must be an integer from 1 to 65535');
      continue;
    }
    out.push({ name, description: str(spec['description']) ?? '', type, default: def as string | number });
  }
  return out;
}

function parseRoute(v: unknown, at: At): TemplateRoute | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    at(['route'], '`route` must be a mapping with `port`');
    return undefined;
  }
  for (const k of Object.keys(v))
    if (k !== 'port' && k !== 'strip_prefix')
      at(['route', k], `unknown key \`${k}\` (route takes port, strip_prefix)`);
  const port = v['port'];
  if (!Number.isInteger(port) && typeof port !== 'string') at(['route'], '`route.port` is required');
  const strip = v['strip_prefix'] ?? true;
  if (typeof strip !== 'boolean') at(['route', 'strip_prefix'], '`strip_prefix` must be true or false');
  return { port, stripPrefix: strip === true };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function fmt(names: readonly string[]): string {
  return names.map((n) => `{{${n}}}`).join(', ');
}

/** Text content, or undefined for a binary file (which is copied as is). */
export function asText(content: Uint8Array): string | undefined {
  if (content.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}
