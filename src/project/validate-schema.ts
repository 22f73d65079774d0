import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { didYouMean, type PathReporter } from './diagnostics.js';
import { dotted, fromPointer, type Segment } from './positions.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from './schema/code-cache.js';
import { ajvOptions, composeSchema } from './schema/top-level.js';

let compiled: ValidateFunction | undefined;

/** The validator the build precompiled (scripts/compile-schema.mjs), when there is one. */
function precompiled(): ValidateFunction | undefined {
  try {
    const file = fileURLToPath(new URL('./schema/compiled.cjs', import.meta.url));
    return (requireWithCodeCache(file, `${file}.cache`) ??
      createRequire(import.meta.url)(file)) as ValidateFunction;
  } catch {
    // Running from source (tests) or an incomplete build: compile at run time instead.
    return undefined;
  }
}

/** Compiles the schema now; ajv itself is loaded only here (importing it costs ~30 ms of start-up). */
function compileNow(): ValidateFunction {
  const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
  return new Ajv(ajvOptions).compile(composeSchema);
}

function validator(): ValidateFunction {
  // Compiled once per process: ajv compilation is the slow part.
  compiled ??= precompiled() ?? compileNow();
  return compiled;
}

/** Schema-checks one file's raw (not yet interpolated) tree; problems go to `report`. */
export function checkSchema(value: unknown, report: PathReporter): boolean {
  const validate = validator();
  if (validate(value)) return true;
  const errors = (validate.errors ?? []).map((e) => ({ e, path: effectivePath(e, value) }));
  // Keep only the most specific errors: a oneOf failing at `build` is explained by the unknown
  // key inside it, not by "must be string".
  const keep = errors.filter(
    ({ path }) => !errors.some((o) => o.path.length > path.length && startsWith(o.path, path)),
  );
  const byPath = new Map<string, { e: ErrorObject; path: Segment[] }[]>();
  for (const x of keep) {
    const k = JSON.stringify(x.path);
    byPath.set(k, [...(byPath.get(k) ?? []), x]);
  }
  for (const group of byPath.values()) reportGroup(group, report);
  return false;
}

function effectivePath(e: ErrorObject, value: unknown): Segment[] {
  const base = fromPointer(e.instancePath, value);
  if (e.keyword === 'additionalProperties') return [...base, String(e.params['additionalProperty'])];
  return base;
}

function startsWith(long: readonly Segment[], prefix: readonly Segment[]): boolean {
  return prefix.every((s, i) => long[i] === s);
}

function reportGroup(group: { e: ErrorObject; path: Segment[] }[], report: PathReporter): void {
  const path = group[0]?.path ?? [];
  const where = dotted(path) || 'the file';
  const extra = group.find((g) => g.e.keyword === 'additionalProperties');
  if (extra) {
    const key = String(path.at(-1));
    const props = Object.keys((extra.e.parentSchema?.['properties'] as object | undefined) ?? {});
    const parent = dotted(path.slice(0, -1)) || 'the top level';
    const msg = props.length
      ? `unknown key \`${key}\` in ${parent}`
      : `\`${key}\` is not a valid name in ${parent}`;
    report.errorAtKey(
      path,
      msg,
      didYouMean(key, props) ?? (props.length ? undefined : 'names may use a-z A-Z 0-9 . _ -'),
    );
    return;
  }
  const types = [
    ...new Set(group.filter((g) => g.e.keyword === 'type').flatMap((g) => toList(g.e.params['type']))),
  ];
  if (types.length > 0) {
    report.error(path, `\`${where}\` must be ${types.map(article).join(' or ')}`);
    return;
  }
  const specific = group.find((g) => !['oneOf', 'anyOf', 'if'].includes(g.e.keyword)) ?? group[0];
  if (!specific) return;
  report.error(path, `\`${where}\` ${describe(specific.e)}`);
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'enum':
      return `must be one of: ${toList(e.params['allowedValues']).join(', ')}`;
    case 'required':
      return `is missing the required key \`${String(e.params['missingProperty'])}\``;
    case 'uniqueItems':
      return 'must not contain duplicate items';
    case 'oneOf':
    case 'anyOf':
      return 'does not match any of the allowed forms';
    default:
      return e.message ?? 'is invalid';
  }
}

function toList(x: unknown): string[] {
  return Array.isArray(x) ? x.map(String) : [String(x)];
}

function article(t: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean',
    object: 'a mapping',
    array: 'a list',
    null: 'empty',
  };
  return names[t] ?? t;
}
