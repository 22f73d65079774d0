import { orchTopSchema } from './orch.js';
import { serviceSchema } from './service.js';
import {
  bool,
  listOrDict,
  namedMap,
  obj,
  optionsMap,
  str,
  strictObj,
  stringOrList,
  strs,
  type JsonSchema,
  NAME_KEY,
  X_KEYS,
  oneOf,
} from './parts.js';

const external: JsonSchema = { ...obj({ name: str }), type: ['boolean', 'string', 'object'] };

const network: JsonSchema = {
  ...obj({
    name: str,
    driver: str,
    driver_opts: optionsMap,
    ipam: obj({
      driver: str,
      config: {
        type: 'array',
        items: obj({
          subnet: str,
          ip_range: str,
          gateway: str,
          aux_addresses: { type: 'object', additionalProperties: false, patternProperties: { '^.+$': str } },
        }),
      },
      options: { type: 'object', additionalProperties: false, patternProperties: { '^.+$': str } },
    }),
    external,
    internal: bool,
    enable_ipv4: bool,
    enable_ipv6: bool,
    attachable: bool,
    labels: listOrDict,
  }),
  type: ['object', 'null'],
};

const volume: JsonSchema = {
  ...obj({ name: str, driver: str, driver_opts: optionsMap, external, labels: listOrDict }),
  type: ['object', 'null'],
};

const secret = obj({
  name: str,
  environment: str,
  file: str,
  external: { type: ['boolean', 'string', 'object'], properties: { name: str } },
  labels: listOrDict,
  driver: str,
  driver_opts: optionsMap,
  template_driver: str,
});

const config = obj({
  name: str,
  content: str,
  environment: str,
  file: str,
  external: { type: ['boolean', 'string', 'object'], properties: { name: str } },
  labels: listOrDict,
  template_driver: str,
});

const include = oneOf(str, strictObj({ path: stringOrList, env_file: stringOrList, project_directory: str }));

const model = obj(
  { name: str, model: str, context_size: { type: 'integer' }, runtime_flags: strs },
  { required: ['model'] },
);

/** orch's schema for a whole project file, following the Compose Specification. */
/** Shared by the run-time compile and the build-time one (scripts/compile-schema.mjs). */
export const ajvOptions = { allErrors: true, strict: false, verbose: true } as const;

export const composeSchema: JsonSchema = {
  $id: 'orch-compose.json',
  type: 'object',
  properties: {
    version: str,
    name: str,
    include: { type: 'array', items: include },
    services: namedMap(serviceSchema),
    models: { type: 'object', patternProperties: { [NAME_KEY]: model } },
    networks: { type: 'object', patternProperties: { [NAME_KEY]: network } },
    volumes: namedMap(volume),
    secrets: namedMap(secret),
    configs: namedMap(config),
    'x-orch': orchTopSchema,
  },
  patternProperties: X_KEYS,
  additionalProperties: false,
};
