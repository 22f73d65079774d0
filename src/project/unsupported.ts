import type { PathReporter } from './diagnostics.js';
import { isRecord } from './merge.js';
import { dotted, type Segment } from './positions.js';

/** Service keys orch acts on (contract §1); anything else the schema allows only warns. */
const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'networks',
  'depends_on',
  'healthcheck',
  'restart',
  'deploy',
  'scale',
  'profiles',
  'labels',
  'working_dir',
  'user',
  'stop_signal',
  'stop_grace_period',
  'init',
  'container_name',
  'hostname',
  'cap_add',
  'cap_drop',
  'secrets',
  'configs',
  'develop',
  'extends',
  'network_mode',
]);

/** Supported keys inside sections orch reads partly. */
const NESTED: Readonly<Record<string, ReadonlySet<string>>> = {
  build: new Set(['context', 'dockerfile', 'args', 'target']),
  deploy: new Set(['replicas', 'restart_policy', 'resources']),
};

/** Inside `deploy.resources`: what a container (and the exports) can honour. */
const RESOURCE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  limits: new Set(['cpus', 'memory', 'pids']),
  reservations: new Set(['cpus', 'memory']),
};

const TOP_ENTRY: Readonly<Record<string, ReadonlySet<string>>> = {
  networks: new Set(['name', 'external', 'driver', 'internal', 'labels']),
  volumes: new Set(['name', 'external', 'driver', 'labels']),
  secrets: new Set(['name', 'file', 'environment', 'external']),
  configs: new Set(['name', 'file', 'environment', 'content', 'external']),
};

const ext = (k: string): boolean => k.startsWith('x-');

/** One warning per key that the Compose Specification allows but orch does not run. */
export function warnUnsupported(raw: unknown, report: PathReporter): void {
  if (!isRecord(raw)) return;
  if ('version' in raw) report.warnAtKey(['version'], '`version` is obsolete and ignored');
  for (const k of ['models']) {
    if (k in raw) report.warnAtKey([k], `\`${k}\` is not supported by orch and is ignored`);
  }
  for (const [section, allowed] of Object.entries(TOP_ENTRY)) {
    const entries = raw[section];
    if (!isRecord(entries)) continue;
    for (const [name, spec] of Object.entries(entries)) {
      if (isRecord(spec)) warnKeys(spec, allowed, [section, name], report);
    }
  }
  const services = raw['services'];
  if (!isRecord(services)) return;
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc)) continue;
    warnKeys(svc, SERVICE_KEYS, ['services', name], report);
    for (const [section, allowed] of Object.entries(NESTED)) {
      const sub = svc[section];
      if (isRecord(sub)) warnKeys(sub, allowed, ['services', name, section], report);
    }
    const deploy = svc['deploy'];
    const resources = isRecord(deploy) ? deploy['resources'] : undefined;
    if (isRecord(resources)) {
      for (const [kind, allowed] of Object.entries(RESOURCE_KEYS)) {
        const sub = resources[kind];
        if (isRecord(sub)) warnKeys(sub, allowed, ['services', name, 'deploy', 'resources', kind], report);
      }
    }
  }
}

function warnKeys(
  obj: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  at: Segment[],
  report: PathReporter,
) {
  for (const key of Object.keys(obj)) {
    if (allowed.has(key) || ext(key)) continue;
    const path = [...at, key];
    // Keys the schema rejected already carry an error; one message per key is enough.
    if (report.diags.list.some((d) => d.key === dotted(path))) continue;
    report.warnAtKey(path, `\`${path.join('.')}\` is not supported by orch and is ignored`);
  }
}
