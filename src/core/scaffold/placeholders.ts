/**
 * Placeholders are `{{name}}` (spaces inside the braces allowed). Anything else, including a lone
 * `{{`, is left as written, so templates may carry other brace syntax as long as it is not a
 * bare identifier in double braces.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

export type VarValue = string | number;
export type Vars = Readonly<Record<string, VarValue>>;

/** Every placeholder name used in the text, in order of first use. */
export function placeholdersIn(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (m[1] !== undefined) seen.add(m[1]);
  return [...seen];
}

/** Text with every placeholder replaced; an unknown name is a bug (validation runs first). */
export function renderText(text: string, vars: Vars): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`placeholder {{${name}}} has no value`);
    return String(v);
  });
}

/**
 * A YAML value with placeholders rendered in keys and string scalars. A scalar that is exactly one
 * placeholder takes the variable's own type, so `port: "{{port}}"` becomes the number 3000 and the
 * project file gets `port: 3000`, not a quoted string. Values under `environment:` stay strings
 * (`PORT: "3000"`), which is what the container sees anyway.
 */
export function renderValue(value: unknown, vars: Vars, asString = false): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined) {
      const v = vars[whole[1]];
      if (v === undefined) throw new Error(`placeholder {{${whole[1]}}} has no value`);
      return asString ? String(v) : v;
    }
    return renderText(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, asString));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[renderText(k, vars)] = renderValue(v, vars, asString || k === 'environment');
    return out;
  }
  return value;
}

/** Placeholder names used anywhere in a YAML value (keys and string scalars). */
export function placeholdersInValue(value: unknown): string[] {
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') placeholdersIn(v).forEach((n) => seen.add(n));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v))
      for (const [k, inner] of Object.entries(v)) {
        placeholdersIn(k).forEach((n) => seen.add(n));
        visit(inner);
      }
  };
  visit(value);
  return [...seen];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
