import { resolve } from 'node:path';
import type { BuildSpec, ServiceSpec, WatchAction, WatchRule } from '../../model/project.js';
import { parseDotenv } from '../dotenv.js';
import type { ProjectFs } from '../fs.js';
import type { KeyPath } from '../positions.js';
import {
  parseDeployRestart,
  parseDependsOn,
  parseHealthcheck,
  parseReplicas,
  parseRestart,
  type DependencyEntry,
} from './lifecycle.js';
import { parseServiceOrch } from './orch.js';
import { startReplicas } from './autoscale.js';
import { parsePort } from './ports.js';
import { parseProcess } from './process.js';
import { parseFileMounts, parseServiceNetworks } from './resources.js';
import { isRemoteContext } from '../relative-paths.js';
import { hostPath, parseVolume } from './volumes.js';
import { parseResources } from './deploy-resources.js';
import {
  isRecord,
  stringRecord,
  toBool,
  toCommand,
  toDuration,
  toRecord,
  toStr,
  toStrList,
  type Ctx,
} from './values.js';

/** Names declared at the top level, which service entries may refer to. */
export interface Declared {
  readonly volumes: ReadonlySet<string>;
  readonly networks: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
  readonly configs: ReadonlySet<string>;
}

export interface NormalizedService {
  readonly spec: ServiceSpec;
  /** Where each dependency is named, for the cross-service checks. */
  readonly deps: readonly DependencyEntry[];
  /** Path of the `ports:` entry each PortSpec came from (ranges expand to several). */
  readonly portPaths: readonly KeyPath[];
}

export async function normalizeService(
  ctx: Ctx,
  fs: ProjectFs,
  name: string,
  svc: Record<string, unknown>,
  declared: Declared,
): Promise<NormalizedService> {
  const path = ['services', name];
  const at = (k: string | number, ...more: (string | number)[]) => [...path, k, ...more];
  const restart = parseRestart(ctx, at('restart'), svc['restart']);
  const ports = (Array.isArray(svc['ports']) ? svc['ports'] : []).flatMap((p, i) =>
    parsePort(ctx, at('ports', i), p).map((spec) => ({ spec, path: at('ports', i) })),
  );
  const volumes = (Array.isArray(svc['volumes']) ? svc['volumes'] : []).flatMap(
    (v, i) => parseVolume(ctx, at('volumes', i), v, declared.volumes) ?? [],
  );
  const image = toStr(svc['image']);
  const build = parseBuild(ctx, at('build'), svc['build']);
  const command = toCommand(ctx, at('command'), svc['command']);
  const entrypoint = toCommand(ctx, at('entrypoint'), svc['entrypoint']);
  const healthcheck = parseHealthcheck(ctx, at('healthcheck'), svc['healthcheck']);
  const deploy = isRecord(svc['deploy']) ? svc['deploy'] : {};
  const deployRestartPolicy = parseDeployRestart(
    ctx,
    at('deploy', 'restart_policy'),
    deploy['restart_policy'],
  );
  const resources = parseResources(ctx, at('deploy', 'resources'), deploy['resources']);
  const stopGracePeriodMs = toDuration(ctx, at('stop_grace_period'), svc['stop_grace_period']);
  const init = toBool(ctx, at('init'), svc['init']);
  const deps = parseDependsOn(ctx, at('depends_on'), svc['depends_on']);
  const networkMode = parseNetworkMode(ctx, name, svc, deps);
  const xOrch = isRecord(svc['x-orch']) ? svc['x-orch'] : {};
  const expose = toStrList(svc['expose']);
  const process = parseProcess(ctx, at('x-orch', 'process'), xOrch['process'], {
    service: name,
    expose,
    ports: ports.map((p) => p.spec),
  });
  if (image === undefined && build === undefined && process === undefined) {
    ctx.r.errorAtKey(
      path,
      `service \`${name}\` has neither \`image\` nor \`build\``,
      'give it an image or a build context, or run it on the host with x-orch.process',
    );
  }
  const optional = {
    image,
    build,
    command,
    entrypoint,
    healthcheck,
    deployRestartPolicy,
    resources,
    workingDir: toStr(svc['working_dir']),
    user: toStr(svc['user']),
    stopSignal: toStr(svc['stop_signal']),
    stopGracePeriodMs,
    init,
    containerName: toStr(svc['container_name']),
    hostname: toStr(svc['hostname']),
    networkMode,
  };
  const spec: ServiceSpec = {
    name,
    pos: ctx.r.pos(path),
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<ServiceSpec>),
    environment: await environment(ctx, fs, path, svc),
    ports: ports.map((p) => p.spec),
    expose,
    volumes,
    networks:
      networkMode === undefined
        ? parseServiceNetworks(ctx, at('networks'), svc['networks'], declared.networks)
        : {},
    dependsOn: Object.fromEntries(deps.map((d) => [d.name, d.dep])),
    restart,
    replicas: parseReplicas(ctx, path, svc),
    profiles: toStrList(svc['profiles']),
    labels: stringRecord(svc['labels']),
    capAdd: toStrList(svc['cap_add']),
    capDrop: toStrList(svc['cap_drop']),
    secrets: parseFileMounts(ctx, at('secrets'), 'secrets', svc['secrets'], declared.secrets),
    configs: parseFileMounts(ctx, at('configs'), 'configs', svc['configs'], declared.configs),
    watch: parseWatch(
      ctx,
      at('develop', 'watch'),
      isRecord(svc['develop']) ? svc['develop']['watch'] : undefined,
    ),
    orch: {
      ...parseServiceOrch(ctx, at('x-orch'), svc['x-orch'], restart),
      ...(process !== undefined ? { process } : {}),
    },
  };
  const replicas = startReplicas(ctx, path, svc, spec.replicas, spec.orch.autoscale);
  return {
    spec: replicas === spec.replicas ? spec : { ...spec, replicas },
    deps,
    portPaths: ports.map((p) => p.path),
  };
}

/**
 * `network_mode`, checked as compose does: it excludes `networks:`, and `service:NAME` makes NAME
 * a dependency (started first, restarted with it: the namespace goes away when NAME restarts).
 * Ports cannot be published from a namespace the container borrows; in `host`/`none` the engine
 * ignores them, so orch says so instead of silently dropping them.
 */
function parseNetworkMode(
  ctx: Ctx,
  name: string,
  svc: Record<string, unknown>,
  deps: DependencyEntry[],
): string | undefined {
  const mode = toStr(svc['network_mode']);
  if (mode === undefined) return undefined;
  const at = ['services', name, 'network_mode'];
  const nets = svc['networks'];
  // An empty `networks:` is accepted, as compose checks for a non-empty one.
  if ((Array.isArray(nets) && nets.length > 0) || (isRecord(nets) && Object.keys(nets).length > 0)) {
    ctx.r.errorAtKey(
      at,
      `service \`${name}\` declares mutually exclusive \`network_mode\` and \`networks\``,
      'keep one: network_mode shares another namespace, networks joins project networks',
    );
  }
  const ports = Array.isArray(svc['ports']) ? svc['ports'] : [];
  const borrowed = /^(service|container):/.test(mode);
  if (ports.length > 0 && borrowed) {
    ctx.r.errorAtKey(
      ['services', name, 'ports'],
      `service \`${name}\` cannot publish ports with network_mode \`${mode}\``,
      'publish them on the service or container whose network it shares',
    );
  } else if (ports.length > 0 && (mode === 'host' || mode === 'none')) {
    ctx.r.warnAtKey(
      ['services', name, 'ports'],
      `ports of \`${name}\` are not published with network_mode \`${mode}\` (the engine discards them)`,
    );
  }
  if (mode.startsWith('service:')) {
    const target = mode.slice('service:'.length);
    if (target === '' || target === name) {
      ctx.r.error(at, `network_mode \`${mode}\` must name another service`);
    } else if (!deps.some((d) => d.name === target)) {
      deps.push({
        name: target,
        dep: { condition: 'service_started', restart: true, required: true },
        path: at,
        via: 'network_mode',
      });
    }
  }
  return mode;
}

function parseBuild(ctx: Ctx, path: KeyPath, v: unknown): BuildSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const spec = isRecord(v) ? v : { context: v };
  const context = toStr(spec['context']) ?? '.';
  const target = toStr(spec['target']);
  const args = toRecord(spec['args'], (k) => ctx.lookup(k) ?? null);
  return {
    // A git/URL context is fetched by the engine: passed on exactly as written.
    context: isRemoteContext(context) ? context : hostPath(ctx, context),
    dockerfile: toStr(spec['dockerfile']) ?? 'Dockerfile',
    // An arg with no value and no variable of that name is left to the Dockerfile's default.
    args: Object.fromEntries(Object.entries(args).filter((e): e is [string, string] => e[1] !== null)),
    ...(target !== undefined ? { target } : {}),
  };
}

/** env_file entries first, then `environment:`, which wins (compose's precedence). */
async function environment(
  ctx: Ctx,
  fs: ProjectFs,
  path: KeyPath,
  svc: Record<string, unknown>,
): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  const raw = svc['env_file'];
  const files = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  for (const [i, item] of files.entries()) {
    const at = Array.isArray(raw) ? [...path, 'env_file', i] : [...path, 'env_file'];
    const spec: Record<string, unknown> = isRecord(item) ? item : { path: item };
    const file = resolve(ctx.projectDir, String(spec['path']));
    const required = toBool(ctx, [...at, 'required'], spec['required']) ?? true;
    const text = await fs.readText(file);
    if (text === undefined) {
      if (required)
        ctx.r.error(at, `env_file \`${file}\` not found`, 'create it, or mark it `required: false`');
      continue;
    }
    const parsed = parseDotenv(text, ctx.lookup);
    for (const e of parsed.errors) ctx.r.diags.error({ file, line: e.line, col: 1 }, e.message);
    for (const e of parsed.entries) out[e.key] = e.value ?? ctx.lookup(e.key) ?? null;
  }
  Object.assign(
    out,
    toRecord(svc['environment'], (k) => ctx.lookup(k) ?? null),
  );
  return out;
}

function parseWatch(ctx: Ctx, path: KeyPath, v: unknown): WatchRule[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((raw, i): WatchRule[] => {
    if (!isRecord(raw)) return [];
    const target = toStr(raw['target']);
    const include = raw['include'] === undefined ? undefined : toStrList(raw['include']);
    const exec = isRecord(raw['exec'])
      ? toCommand(ctx, [...path, i, 'exec', 'command'], raw['exec']['command'])
      : undefined;
    return [
      {
        action: (toStr(raw['action']) ?? 'sync') as WatchAction,
        path: hostPath(ctx, toStr(raw['path']) ?? '.'),
        ...(target !== undefined ? { target } : {}),
        ignore: toStrList(raw['ignore']),
        ...(include !== undefined ? { include } : {}),
        initialSync: toBool(ctx, [...path, i, 'initial_sync'], raw['initial_sync']) ?? false,
        ...(exec !== undefined ? { exec } : {}),
      },
    ];
  });
}
