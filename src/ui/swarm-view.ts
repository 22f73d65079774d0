import type { ChalkInstance } from 'chalk';
import type { SwarmDeployEvent } from '../core/swarm/deploy.js';
import type { SwarmTask } from '../core/swarm/ports.js';
import { renderTable } from './table.js';

export function renderSwarmEvent(e: SwarmDeployEvent, style: ChalkInstance): string {
  switch (e.type) {
    case 'image':
      return `image ${e.service}: ${e.action} ${e.image}`;
    case 'wave':
      return `deploying: ${e.services.join(', ')}`;
    case 'waiting':
      return style.dim(`${e.service}: ${e.detail}`);
    case 'converged':
      return `${e.service}: ${e.oneShot ? 'completed' : 'converged'}`;
    case 'warning':
      return style.yellow(
        `orch: warning: swarm: ${e.warning.service !== undefined ? `${e.warning.service}: ` : ''}${e.warning.key}: ${e.warning.message}`,
      );
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** `orch ps --target swarm`: one row per task, newest first within a slot. */
export function renderSwarmTasks(stack: string, tasks: readonly SwarmTask[]): string {
  if (tasks.length === 0) return `${stack}: no tasks on the swarm`;
  return renderTable(
    ['SERVICE', 'SLOT', 'TASK', 'NODE', 'DESIRED', 'STATE', 'ERROR'],
    tasks.map((t) => [
      t.service,
      String(t.slot),
      t.id.slice(0, 12),
      t.node.slice(0, 12),
      t.desired,
      t.state,
      t.error ?? '',
    ]),
  );
}
