/**
 * Building blocks for orch's schemas. Plain draft-07 objects so ajv compiles them directly; many
 * leaves accept strings too because validation runs before `${VAR}` interpolation, as compose does.
 */
export type JsonSchema = Record<string, unknown>;

export const X_KEYS = { '^x-': {} } as const;
export const NAME_KEY = '^[a-zA-Z0-9._-]+$';

export const str: JsonSchema = { type: 'string' };
export const bool: JsonSchema = { type: ['boolean', 'string'] };
export const int: JsonSchema = { type: ['integer', 'string'] };
export const num: JsonSchema = { type: ['number', 'string'] };
export const strs: JsonSchema = { type: 'array', items: str };
export const uniqueStrs: JsonSchema = { type: 'array', items: str, uniqueItems: true };
export const stringOrList: JsonSchema = { oneOf: [str, uniqueStrs] };
export const anyObject: JsonSchema = { type: 'object' };
export const optionsMap: JsonSchema = {
  type: 'object',
  patternProperties: { '^.+$': { type: ['string', 'number'] } },
};

export const listOrDict: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      patternProperties: { '.+': { type: ['string', 'number', 'boolean', 'null'] } },
      additionalProperties: false,
    },
    uniqueStrs,
  ],
};

export const command: JsonSchema = { oneOf: [{ type: 'null' }, str, strs] };

/** A closed object: listed keys plus `x-*` extensions, nothing else. */
export function obj(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, patternProperties: X_KEYS, ...extra };
}

/** A closed object without `x-*` (the spec allows no extensions there). */
export function strictObj(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, ...extra };
}

export function namedMap(value: JsonSchema): JsonSchema {
  return { type: 'object', patternProperties: { [NAME_KEY]: value }, additionalProperties: false };
}

export function oneOf(...alts: JsonSchema[]): JsonSchema {
  return { oneOf: alts };
}

export function enumOf(...values: string[]): JsonSchema {
  return { type: 'string', enum: values };
}

export const extraHosts: JsonSchema = oneOf(
  {
    type: 'object',
    patternProperties: { '.+': oneOf(str, { type: 'array', items: str }) },
    additionalProperties: false,
  },
  uniqueStrs,
);

export const fileGrant: JsonSchema = {
  type: 'array',
  items: oneOf(str, obj({ source: str, target: str, uid: str, gid: str, mode: num })),
};

export const ulimits: JsonSchema = {
  type: 'object',
  patternProperties: {
    '^[a-z]+$': oneOf(int, obj({ hard: int, soft: int }, { required: ['soft', 'hard'] })),
  },
};

export const hook: JsonSchema = obj(
  { command, user: str, privileged: bool, working_dir: str, environment: listOrDict },
  { required: ['command'] },
);

export const deviceRequest: JsonSchema = obj(
  { capabilities: uniqueStrs, count: int, device_ids: uniqueStrs, driver: str, options: listOrDict },
  { required: ['capabilities'] },
);
