import { orchServiceSchema } from './orch.js';
import {
  anyObject,
  bool,
  command,
  deviceRequest,
  enumOf,
  extraHosts,
  fileGrant,
  hook,
  int,
  listOrDict,
  NAME_KEY,
  num,
  obj,
  oneOf,
  optionsMap,
  str,
  strictObj,
  stringOrList,
  strs,
  ulimits,
  uniqueStrs,
  type JsonSchema,
} from './parts.js';

const build = oneOf(
  str,
  obj({
    context: str,
    dockerfile: str,
    dockerfile_inline: str,
    entitlements: strs,
    args: listOrDict,
    ssh: listOrDict,
    labels: listOrDict,
    cache_from: strs,
    cache_to: strs,
    no_cache: bool,
    additional_contexts: listOrDict,
    network: str,
    provenance: { type: ['string', 'boolean'] },
    sbom: { type: ['string', 'boolean'] },
    pull: bool,
    target: str,
    shm_size: int,
    extra_hosts: extraHosts,
    isolation: str,
    privileged: bool,
    secrets: fileGrant,
    tags: strs,
    ulimits,
    platforms: strs,
  }),
);

const healthcheck = obj({
  disable: bool,
  interval: str,
  retries: num,
  test: oneOf(str, strs),
  timeout: str,
  start_period: str,
  start_interval: str,
});

const dependsOn = oneOf(uniqueStrs, {
  type: 'object',
  additionalProperties: false,
  patternProperties: {
    [NAME_KEY]: obj(
      {
        restart: bool,
        required: { type: 'boolean' },
        condition: enumOf('service_started', 'service_healthy', 'service_completed_successfully'),
      },
      { required: ['condition'] },
    ),
  },
});

const ports = {
  type: 'array',
  uniqueItems: true,
  items: oneOf(
    { type: 'number' },
    str,
    obj({
      name: str,
      mode: str,
      host_ip: str,
      target: int,
      published: { type: ['string', 'integer'] },
      protocol: str,
      app_protocol: str,
    }),
  ),
};

const volumeMount = obj(
  {
    type: enumOf('bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image'),
    source: str,
    target: str,
    read_only: bool,
    consistency: str,
    bind: obj({
      propagation: str,
      create_host_path: bool,
      recursive: enumOf('enabled', 'disabled', 'writable', 'readonly'),
      selinux: enumOf('z', 'Z'),
    }),
    volume: obj({ labels: listOrDict, nocopy: bool, subpath: str }),
    tmpfs: obj({ size: oneOf({ type: 'integer', minimum: 0 }, str), mode: num }),
    image: obj({ subpath: str }),
  },
  { required: ['type'] },
);

const serviceNetworks = oneOf(uniqueStrs, {
  type: 'object',
  additionalProperties: false,
  patternProperties: {
    [NAME_KEY]: oneOf(
      obj({
        aliases: uniqueStrs,
        interface_name: str,
        ipv4_address: str,
        ipv6_address: str,
        link_local_ips: uniqueStrs,
        mac_address: str,
        driver_opts: optionsMap,
        priority: { type: 'number' },
        gw_priority: { type: 'number' },
      }),
      { type: 'null' },
    ),
  },
});

const envFile = oneOf(str, {
  type: 'array',
  items: oneOf(str, strictObj({ path: str, format: str, required: bool }, { required: ['path'] })),
});

const restartPolicy = obj({ condition: str, delay: str, max_attempts: int, window: str });
const updateConfig = obj({
  parallelism: int,
  delay: str,
  failure_action: str,
  monitor: str,
  max_failure_ratio: num,
  order: enumOf('start-first', 'stop-first'),
});

const deploy = {
  ...obj({
    mode: str,
    endpoint_mode: str,
    replicas: int,
    labels: listOrDict,
    rollback_config: updateConfig,
    update_config: updateConfig,
    resources: obj({
      limits: obj({ cpus: num, memory: str, pids: int }),
      reservations: obj({
        cpus: num,
        memory: str,
        generic_resources: {
          type: 'array',
          items: obj({ discrete_resource_spec: obj({ kind: str, value: num }) }),
        },
        devices: { type: 'array', items: deviceRequest },
      }),
    }),
    restart_policy: restartPolicy,
    placement: obj({
      constraints: strs,
      preferences: { type: 'array', items: obj({ spread: str }) },
      max_replicas_per_node: int,
    }),
  }),
  type: ['object', 'null'],
};

const develop = {
  ...obj({
    watch: {
      type: 'array',
      items: obj(
        {
          ignore: stringOrList,
          include: stringOrList,
          path: str,
          action: enumOf('rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec'),
          target: str,
          exec: hook,
          initial_sync: { type: 'boolean' },
        },
        { required: ['path', 'action'] },
      ),
    },
  }),
  type: ['object', 'null'],
};

const blkioLimit = strictObj({ path: str, rate: int });
const blkioWeight = strictObj({ path: str, weight: int });
const idList = { type: 'array', items: { type: ['string', 'number'] }, uniqueItems: true };
const intOrString = (extra: JsonSchema = {}): JsonSchema => oneOf(str, { type: 'integer', ...extra });

/** One service, following the Compose Specification's `service` definition. */
export const serviceSchema: JsonSchema = obj({
  develop,
  deploy,
  annotations: listOrDict,
  attach: bool,
  build,
  blkio_config: strictObj({
    device_read_bps: { type: 'array', items: blkioLimit },
    device_read_iops: { type: 'array', items: blkioLimit },
    device_write_bps: { type: 'array', items: blkioLimit },
    device_write_iops: { type: 'array', items: blkioLimit },
    weight: int,
    weight_device: { type: 'array', items: blkioWeight },
  }),
  cap_add: uniqueStrs,
  cap_drop: uniqueStrs,
  cgroup: enumOf('host', 'private'),
  cgroup_parent: str,
  command,
  configs: fileGrant,
  container_name: { type: 'string', pattern: '[a-zA-Z0-9][a-zA-Z0-9_.-]+' },
  cpu_count: intOrString({ minimum: 0 }),
  cpu_percent: intOrString({ minimum: 0, maximum: 100 }),
  cpu_shares: num,
  cpu_quota: num,
  cpu_period: num,
  cpu_rt_period: num,
  cpu_rt_runtime: num,
  cpus: num,
  cpuset: str,
  credential_spec: obj({ config: str, file: str, registry: str }),
  depends_on: dependsOn,
  device_cgroup_rules: uniqueStrs,
  devices: {
    type: 'array',
    items: oneOf(str, obj({ source: str, target: str, permissions: str }, { required: ['source'] })),
  },
  dns: stringOrList,
  dns_opt: uniqueStrs,
  dns_search: stringOrList,
  domainname: str,
  entrypoint: command,
  env_file: envFile,
  label_file: oneOf(str, strs),
  environment: listOrDict,
  expose: idList,
  extends: oneOf(str, strictObj({ service: str, file: str }, { required: ['service'] })),
  provider: obj(
    {
      type: str,
      options: {
        type: 'object',
        patternProperties: {
          '^.+$': oneOf(
            { type: ['string', 'number', 'boolean'] },
            { type: 'array', items: { type: ['string', 'number', 'boolean'] } },
          ),
        },
      },
    },
    { required: ['type'] },
  ),
  external_links: uniqueStrs,
  extra_hosts: extraHosts,
  gpus: oneOf(enumOf('all'), { type: 'array', items: deviceRequest }),
  group_add: idList,
  healthcheck,
  hostname: str,
  image: str,
  init: bool,
  ipc: str,
  isolation: str,
  labels: listOrDict,
  links: uniqueStrs,
  logging: obj({
    driver: str,
    options: { type: 'object', patternProperties: { '^.+$': { type: ['string', 'number', 'null'] } } },
  }),
  mac_address: str,
  mem_limit: num,
  mem_reservation: { type: ['string', 'integer'] },
  mem_swappiness: int,
  memswap_limit: num,
  network_mode: str,
  models: oneOf(uniqueStrs, {
    type: 'object',
    patternProperties: { [NAME_KEY]: obj({ endpoint_var: str, model_var: str }) },
  }),
  networks: serviceNetworks,
  oom_kill_disable: bool,
  oom_score_adj: intOrString({ minimum: -1000, maximum: 1000 }),
  pid: { type: ['string', 'null'] },
  pids_limit: num,
  platform: str,
  ports,
  post_start: { type: 'array', items: hook },
  pre_stop: { type: 'array', items: hook },
  privileged: bool,
  profiles: uniqueStrs,
  pull_policy: {
    type: 'string',
    pattern: 'always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+',
  },
  pull_refresh_after: str,
  read_only: bool,
  restart: str,
  runtime: str,
  scale: int,
  security_opt: uniqueStrs,
  shm_size: num,
  secrets: fileGrant,
  sysctls: listOrDict,
  stdin_open: bool,
  stop_grace_period: str,
  stop_signal: str,
  storage_opt: anyObject,
  tmpfs: stringOrList,
  tty: bool,
  ulimits,
  use_api_socket: { type: 'boolean' },
  user: str,
  uts: str,
  userns_mode: str,
  volumes: { type: 'array', uniqueItems: true, items: oneOf(str, volumeMount) },
  volumes_from: uniqueStrs,
  working_dir: str,
  'x-orch': orchServiceSchema,
});

// Exported so the key list (for "did you mean") stays in one place.
export const SERVICE_KEYS: readonly string[] = Object.keys(
  (serviceSchema as { properties: Record<string, unknown> }).properties,
).filter((k) => k !== 'x-orch');
