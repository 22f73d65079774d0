import type { ServiceSpec } from '../../model/project.js';
import { OrchError } from '../../errors/index.js';
import type { ReplicaSnapshot, RuntimeKind, RuntimePort, Runtimes } from './port.js';

/** The runtimes a stack was given: containers always, host processes once their runtime is registered. */
export class RuntimeSet implements Runtimes {
  readonly all: readonly RuntimePort[];

  constructor(runtimes: readonly RuntimePort[]) {
    this.all = [...runtimes];
  }

  of(spec: ServiceSpec): RuntimePort {
    const kind: RuntimeKind = spec.orch.process ? 'process' : 'container';
    const runtime = this.all.find((r) => r.kind === kind);
    if (runtime) return runtime;
    throw new OrchError(
      'STACK_FAILED',
      `service "${spec.name}" is a host process (x-orch.process), and this orch cannot run host processes`,
      { hint: `remove x-orch.process from "${spec.name}" to run it in a container` },
    );
  }

  kind(kind: RuntimeKind): RuntimePort {
    const runtime = this.all.find((r) => r.kind === kind);
    if (runtime) return runtime;
    throw new OrchError('STACK_FAILED', `no ${kind} runtime in this orch`);
  }
}

/** The runtime that runs a replica orch already knows of. */
export function runtimeOf(runtimes: Runtimes, r: { readonly runtime: RuntimeKind }): RuntimePort {
  return runtimes.kind(r.runtime);
}

/** Every replica of a project on every runtime, in every state. */
export async function listAll(
  runtimes: Runtimes,
  projectName: string,
  filter?: { service?: string; replica?: number },
): Promise<ReplicaSnapshot[]> {
  const lists = await Promise.all(runtimes.all.map((r) => r.list(projectName, filter)));
  return lists.flat();
}

/** A second Ctrl-C: kill every replica of the project at once, whatever fails. */
export async function killAll(runtimes: Runtimes, projectName: string): Promise<void> {
  const all = await listAll(runtimes, projectName);
  await Promise.all(
    all.map((r) =>
      runtimeOf(runtimes, r)
        .kill(r.id)
        .catch(() => undefined),
    ),
  );
}
