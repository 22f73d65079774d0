import { OrchError } from '../errors/index.js';
import type { Project } from '../model/project.js';

/**
 * Until the running stack drives replicas through the runtime port, a host-process service
 * (`x-orch.process`) validates, shows in `config` and is refused by the exports, but `up` cannot
 * run it: say so before anything starts, instead of looking for an image it does not have.
 */
export function refuseHostProcesses(project: Project): void {
  const names = Object.values(project.services)
    .filter((s) => s.orch.process !== undefined)
    .map((s) => `\`${s.name}\``);
  if (names.length === 0) return;
  throw new OrchError(
    'USAGE',
    `${names.join(', ')} ${names.length === 1 ? 'runs' : 'run'} on the host (x-orch.process), which this version of orch validates but cannot run yet`,
    { hint: 'run it yourself beside the stack for now, or give the service an image' },
  );
}
