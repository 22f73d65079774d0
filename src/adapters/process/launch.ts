import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OrchError } from '../../errors/index.js';
import { engineHealthcheck } from '../../core/engine/container-spec.js';
import type { DockerHealthcheck } from '../../core/ports.js';
import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { hostPortFor } from './ports.js';
import { ProcessStore, type ProcessRecord } from './state.js';

/** How one replica is run: the argv the shim spawns, and the environment it gets. */
interface Launch {
  /** `shell`: a string command, run by `shell -c`; `exec`: a list, run as it is. */
  readonly form: 'shell' | 'exec';
  readonly argv: readonly string[];
  readonly display: string;
  readonly env: Record<string, string>;
}

/**
 * The command and environment of replica `replica` (1-based) listening on `port`, if any;
 * `reach`: how it reaches the containers it depends on (see gatewayEnvOf).
 */
function launchOf(
  spec: ServiceSpec,
  replica: number,
  port: number | undefined,
  reach: Readonly<Record<string, string>>,
): Launch {
  const p = processOf(spec);
  const argv = typeof p.command === 'string' ? [p.shell ?? '/bin/sh', '-c', p.command] : [...p.command];
  // The host's environment (PATH, HOME, ...) as a shell would pass it, then the service's own
  // (`environment`/`env_file`, already merged by the loader) over it; a variable declared without
  // a value and set nowhere is left unset, as compose leaves it in a container.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, reach);
  for (const [k, v] of Object.entries(spec.environment)) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  env['ORCH_REPLICA'] = String(replica);
  if (port !== undefined) env['PORT'] = String(port);
  return {
    form: typeof p.command === 'string' ? 'shell' : 'exec',
    argv,
    display: typeof p.command === 'string' ? p.command : p.command.join(' '),
    env,
  };
}

function processOf(spec: ServiceSpec): NonNullable<ServiceSpec['orch']['process']> {
  const p = spec.orch.process;
  if (!p) throw new Error(`service ${spec.name} is not a host process`);
  return p;
}

function labelsOf(
  project: Project,
  spec: ServiceSpec,
  replica: number,
  hash: string,
): Record<string, string> {
  return {
    ...spec.labels,
    [Label.project]: project.name,
    [Label.service]: spec.name,
    [Label.replica]: String(replica),
    [Label.configHash]: hash,
  };
}

/** The file's healthcheck, run by the process runtime on the host as the engine runs a container's. */
function healthcheckOf(spec: ServiceSpec): DockerHealthcheck | undefined {
  const hc = engineHealthcheck(spec);
  // `NONE` only turns off an image's own check; a process has none.
  return hc?.test[0] === 'NONE' ? undefined : hc;
}

/**
 * Checks, before anything is spawned, what would otherwise only show as an exit code 127: the
 * directory, and the program (exec form) or shell (string form) on the PATH the process gets.
 */
export async function checkRunnable(
  service: string,
  launch: Pick<Launch, 'argv' | 'env' | 'form'>,
  cwd: string,
): Promise<void> {
  const isDir = await stat(cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw new OrchError('STACK_FAILED', `the cwd \`${cwd}\` of host process \`${service}\` does not exist`, {
      hint: 'create the directory, or change `x-orch.process.cwd`',
    });
  const program = launch.argv[0] ?? '';
  const { default: which } = await import('which');
  // A program with a slash is a path (a relative one from the process's cwd, as spawn reads it).
  const found = program.includes('/')
    ? await which(resolve(cwd, program), { nothrow: true })
    : await which(program, { nothrow: true, path: launch.env['PATH'] ?? '' });
  if (found === null) {
    const what = launch.form === 'shell' ? 'shell' : 'command';
    throw new OrchError(
      'STACK_FAILED',
      `the ${what} \`${program}\` of host process \`${service}\` is not found or not executable`,
      {
        hint: program.includes('/')
          ? 'check the path (relative paths start from the process cwd) and its execute permission'
          : 'install it, or put its directory on PATH (or write its full path)',
      },
    );
  }
}

/** A new replica's record: its command, environment and port, fixed until it is recreated. */
export async function newRecord(
  project: Project,
  spec: ServiceSpec,
  replica: number,
  configHash: string,
  reach: Readonly<Record<string, string>>,
  preferredPort?: number,
): Promise<ProcessRecord> {
  const p = processOf(spec);
  const hostPort = await hostPortFor(spec, replica, preferredPort);
  const launch = launchOf(spec, replica, hostPort, reach);
  const hc = healthcheckOf(spec);
  return {
    v: 1,
    id: ProcessStore.newId(),
    project: project.name,
    service: spec.name,
    replica,
    name: `${project.name}-${spec.name}-${replica}`,
    display: launch.display,
    form: launch.form,
    argv: launch.argv,
    cwd: p.cwd,
    env: launch.env,
    stopSignal: spec.stopSignal ?? 'SIGTERM',
    labels: labelsOf(project, spec, replica, configHash),
    ...(p.port !== undefined && hostPort !== undefined ? { port: { containerPort: p.port, hostPort } } : {}),
    ...(hc ? { healthcheck: hc } : {}),
    createdAt: new Date().toISOString(),
  };
}
