import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Dockerode from 'dockerode';
import { execa } from 'execa';
import type { SwarmPort, SwarmRole, SwarmTask } from '../core/swarm/ports.js';
import { OrchError } from '../errors/index.js';

const STACK_LABEL = 'com.docker.stack.namespace';

/**
 * `SwarmPort` on the engine API (dockerode) for reads, and the Docker CLI's `docker stack` for
 * deploy and removal: the stack file is the contract, and the CLI is what turns one into
 * services (networks, secrets, configs and all) the way users' own `docker stack deploy` does.
 */
export class SwarmAdapter implements SwarmPort {
  private readonly docker = new Dockerode();

  async role(): Promise<SwarmRole> {
    const info = (await this.engine('docker info', () => this.docker.info())) as {
      Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
    };
    if (info.Swarm?.LocalNodeState !== 'active') return 'inactive';
    return info.Swarm.ControlAvailable ? 'manager' : 'worker';
  }

  async deployStack(stack: string, stackFile: string, prune: boolean): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'orch-stack-'));
    const file = join(dir, 'stack.yaml');
    try {
      await writeFile(file, stackFile);
      // No registry lookups: images built here are only here (and pushed ones are pinned by tag).
      await this.cli([
        'stack',
        'deploy',
        '--resolve-image',
        'never',
        ...(prune ? ['--prune'] : []),
        '-c',
        file,
        stack,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async removeStack(stack: string, signal?: AbortSignal): Promise<{ services: number; networks: number }> {
    const services = (await this.services(stack)).length;
    const networks = (await this.networks(stack)).length;
    if (services + networks === 0) return { services: 0, networks: 0 };
    await this.cli(['stack', 'rm', stack]);
    // `docker stack rm` returns before the engine has taken the tasks and networks down.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const left = (await this.services(stack)).length + (await this.networks(stack)).length;
      const containers = await this.docker.listContainers({
        all: true,
        filters: { label: [`${STACK_LABEL}=${stack}`] },
      });
      if (left === 0 && containers.length === 0) break;
      await sleep(500, undefined, { signal });
    }
    return { services, networks };
  }

  async services(stack: string): Promise<string[]> {
    const list = await this.engine('list services', () =>
      this.docker.listServices({ filters: { label: [`${STACK_LABEL}=${stack}`] } }),
    );
    return list.map((s) => (s.Spec?.Name ?? '').replace(`${stack}_`, '')).sort();
  }

  private async networks(stack: string): Promise<string[]> {
    const list = await this.engine('list networks', () =>
      this.docker.listNetworks({ filters: { label: [`${STACK_LABEL}=${stack}`] } }),
    );
    return list.map((n) => n.Name);
  }

  async tasks(stack: string): Promise<SwarmTask[]> {
    const services = await this.engine('list services', () =>
      this.docker.listServices({ filters: { label: [`${STACK_LABEL}=${stack}`] } }),
    );
    if (services.length === 0) return [];
    const names = new Map(services.map((s) => [s.ID, (s.Spec?.Name ?? '').replace(`${stack}_`, '')]));
    const tasks = (await this.engine('list tasks', () =>
      this.docker.listTasks({ filters: { service: [...names.keys()] } }),
    )) as RawTask[];
    return tasks
      .map((t): SwarmTask => ({
        id: t.ID,
        service: names.get(t.ServiceID) ?? t.ServiceID,
        slot: t.Slot ?? 0,
        node: t.NodeID ?? '',
        desired: t.DesiredState ?? '',
        state: t.Status?.State ?? '',
        ...(t.Status?.Err ? { error: t.Status.Err } : {}),
        ...(t.Status?.ContainerStatus?.ContainerID
          ? { containerId: t.Status.ContainerStatus.ContainerID }
          : {}),
        updatedAt: t.UpdatedAt ?? '',
      }))
      .sort((a, b) =>
        a.service < b.service
          ? -1
          : a.service > b.service
            ? 1
            : a.slot - b.slot || (a.updatedAt < b.updatedAt ? 1 : -1),
      );
  }

  async tagImage(source: string, ref: string): Promise<void> {
    const colon = ref.lastIndexOf(':');
    const slash = ref.lastIndexOf('/');
    const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    await this.engine(`tag ${ref}`, () => this.docker.getImage(source).tag({ repo, tag }));
  }

  async pushImage(ref: string, onLine?: (line: string) => void): Promise<void> {
    await this.cli(['push', ref], onLine);
  }

  async removeStackVolumes(stack: string): Promise<string[]> {
    const { Volumes } = await this.engine('list volumes', () =>
      this.docker.listVolumes({ filters: { label: [`${STACK_LABEL}=${stack}`] } }),
    );
    const removed: string[] = [];
    for (const v of Volumes ?? []) {
      await this.engine(`remove volume ${v.Name}`, () => this.docker.getVolume(v.Name).remove());
      removed.push(v.Name);
    }
    return removed.sort();
  }

  private async cli(args: string[], onLine?: (line: string) => void): Promise<void> {
    const r = await execa('docker', args, { all: true, reject: false, stdin: 'ignore' });
    if (onLine) for (const l of (r.all ?? '').split('\n')) if (l) onLine(l);
    if (r.failed) {
      if ((r as { code?: string }).code === 'ENOENT')
        throw new OrchError(
          'ENGINE_UNREACHABLE',
          'the docker command is not installed: orch deploys stacks with `docker stack`',
          {
            hint: 'install the Docker CLI (docker-ce-cli or docker.io)',
          },
        );
      throw new OrchError(
        'STACK_FAILED',
        `docker ${args.slice(0, 2).join(' ')} failed: ${(r.all ?? '').trim().split('\n').slice(-5).join(' / ')}`,
      );
    }
  }

  private async engine<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES')
        throw new OrchError('ENGINE_UNREACHABLE', `cannot reach the Docker engine (${what}): ${code}`);
      throw new OrchError('STACK_FAILED', `${what}: ${(err as Error).message}`, { cause: err });
    }
  }
}

interface RawTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}
