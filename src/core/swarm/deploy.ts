import type { Project } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import { ImagePreparer } from '../engine/images.js';
import {
  assertNoHostProcesses,
  GATEWAY_SERVICE,
  oneShotServices,
  toSwarmStack,
  type ExportInput,
  type ExportWarning,
} from '../export/index.js';
import type { Clock, DockerPort } from '../ports.js';
import { convergence, deployWaves } from './plan.js';
import type { SwarmPort } from './ports.js';

export type SwarmDeployEvent =
  | { type: 'image'; service: string; image: string; action: 'built' | 'tagged' | 'pushed' }
  | { type: 'wave'; services: readonly string[] }
  | { type: 'waiting'; service: string; detail: string }
  | { type: 'converged'; service: string; oneShot: boolean }
  | { type: 'warning'; warning: ExportWarning };

export interface SwarmDeployDeps {
  readonly swarm: SwarmPort;
  readonly docker: DockerPort;
  readonly clock: Clock;
  /** Builds (or finds) the image holding orch that runs the gateway; returns its reference. */
  readonly gatewayImage: () => Promise<string>;
  /** The stack file's text. */
  readonly render: (doc: unknown) => string;
}

export interface SwarmDeployOptions {
  /** Registry to push built images to (multi-node swarms pull from it). */
  readonly push?: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly onEvent: (e: SwarmDeployEvent) => void;
  readonly signal?: AbortSignal;
}

export interface SwarmDeployResult {
  readonly stack: string;
  readonly services: readonly string[];
  readonly images: Readonly<Record<string, string>>;
}

/** Whether the engine can deploy stacks; else a usage error that says how to make it one. */
export async function assertManager(swarm: SwarmPort): Promise<void> {
  const role = await swarm.role();
  if (role === 'manager') return;
  throw new OrchError(
    'USAGE',
    role === 'worker'
      ? 'this Docker engine is a swarm worker: stacks are deployed from a manager'
      : 'this Docker engine is not part of a swarm',
    {
      hint:
        role === 'worker'
          ? 'run orch on a manager node, or point DOCKER_HOST at one'
          : 'make it a single-node swarm first: docker swarm init --advertise-addr 127.0.0.1',
    },
  );
}

/** `repo:tag` with the tag replaced (a registry host's port is not a tag). */
function withTag(ref: string, tag: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const repo = colon > slash ? ref.slice(0, colon) : ref;
  return `${repo}:${tag}`;
}

async function contentImages(
  project: Project,
  deps: SwarmDeployDeps,
  opts: SwarmDeployOptions,
): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  const preparer = new ImagePreparer(project, deps.docker, { forceBuild: true, onEvent: () => undefined });
  const publish = async (service: string, source: string, ref: string): Promise<string> => {
    const target = opts.push ? `${opts.push.replace(/\/+$/, '')}/${ref}` : ref;
    await deps.swarm.tagImage(source, target);
    opts.onEvent({ type: 'image', service, image: target, action: 'tagged' });
    if (opts.push) {
      await deps.swarm.pushImage(target);
      opts.onEvent({ type: 'image', service, image: target, action: 'pushed' });
    }
    return target;
  };
  for (const name of Object.keys(project.services).sort()) {
    const s = project.services[name];
    if (!s?.build) continue;
    const { ref, id } = await preparer.prepareWithId(s);
    opts.onEvent({ type: 'image', service: name, image: ref, action: 'built' });
    // Tagged by content: a new build is a new tag, so Swarm rolls the service; an unchanged one is left alone.
    images[name] = await publish(name, id, withTag(ref, id.replace(/^sha256:/, '').slice(0, 12)));
  }
  if (project.orch.gateway) {
    const ref = await deps.gatewayImage();
    images[GATEWAY_SERVICE] = opts.push ? await publish(GATEWAY_SERVICE, ref, ref) : ref;
  }
  return images;
}

async function waitConverged(
  project: Project,
  service: string,
  replicas: number,
  oneShot: boolean,
  deps: SwarmDeployDeps,
  opts: SwarmDeployOptions,
): Promise<void> {
  const deadline = deps.clock.now() + opts.timeoutMs;
  let said = '';
  for (;;) {
    const c = convergence(await deps.swarm.tasks(project.name), service, replicas, oneShot);
    if (c.state === 'converged') return opts.onEvent({ type: 'converged', service, oneShot });
    if (c.state === 'failed')
      throw new OrchError('STACK_FAILED', `${service} failed on the swarm: ${c.detail}`, {
        hint: `docker service ps --no-trunc ${project.name}_${service} shows every attempt`,
      });
    if (c.detail !== said) opts.onEvent({ type: 'waiting', service, detail: c.detail });
    said = c.detail;
    if (deps.clock.now() > deadline)
      throw new OrchError(
        'STACK_FAILED',
        `${service} did not converge within ${opts.timeoutMs / 1000}s (${c.detail})`,
        {
          hint: `docker service ps --no-trunc ${project.name}_${service} says why; orch ps --target swarm shows the tasks`,
        },
      );
    await deps.clock.sleep(opts.pollMs ?? 1000, opts.signal);
  }
}

/**
 * The project as a Swarm stack named after it: images built and tagged by content, then the
 * services in dependency order, each wave deployed only once the one before has converged
 * (healthy, or for one-shot jobs, complete), and orch's gateway last.
 */
export async function deploySwarm(
  input: ExportInput,
  deps: SwarmDeployDeps,
  opts: SwarmDeployOptions,
): Promise<SwarmDeployResult> {
  const { project } = input;
  assertNoHostProcesses(project, 'Swarm');
  await assertManager(deps.swarm);
  const images = await contentImages(project, deps, opts);
  const oneShot = oneShotServices(project);
  const gatewayImage = images[GATEWAY_SERVICE] ?? 'orch-gateway';
  const full = toSwarmStack({ ...input, images }, { image: gatewayImage }, oneShot);
  for (const w of full.warnings)
    if (w.key !== 'depends_on' && w.key !== 'build') opts.onEvent({ type: 'warning', warning: w });
  const allServices = full.doc['services'] as Record<string, unknown>;
  const deployed = new Set<string>();
  const deploy = async (names: readonly string[]) => {
    for (const n of names) deployed.add(n);
    const services = Object.fromEntries(Object.entries(allServices).filter(([k]) => deployed.has(k)));
    // Only the whole stack prunes: a wave must not take down what a later wave redeploys.
    const whole = deployed.size === Object.keys(allServices).length;
    await deps.swarm.deployStack(project.name, deps.render({ ...full.doc, services }), whole);
  };
  for (const wave of deployWaves(project)) {
    opts.onEvent({ type: 'wave', services: wave });
    await deploy(wave);
    for (const name of wave) {
      const s = project.services[name];
      if (s) await waitConverged(project, name, s.replicas, oneShot.has(name), deps, opts);
    }
  }
  const rest = Object.keys(allServices).filter((k) => !deployed.has(k));
  if (rest.length > 0) {
    opts.onEvent({ type: 'wave', services: rest });
    await deploy(rest);
    for (const name of rest) await waitConverged(project, name, 1, false, deps, opts);
  }
  return { stack: project.name, services: Object.keys(allServices).sort(), images };
}
