/** One Swarm task, as orch needs it (mapped once from the engine's task list). */
export interface SwarmTask {
  readonly id: string;
  /** Service name inside the stack (without the `<stack>_` prefix). */
  readonly service: string;
  readonly slot: number;
  readonly node: string;
  /** What Swarm wants: running, shutdown, … */
  readonly desired: string;
  /** What it is: new, pending, starting, running, complete, failed, shutdown, rejected, … */
  readonly state: string;
  readonly error?: string;
  readonly containerId?: string;
  /** RFC 3339. */
  readonly updatedAt: string;
}

export type SwarmRole = 'manager' | 'worker' | 'inactive';

/** What `deploy --target swarm` asks of a Swarm manager. */
export interface SwarmPort {
  role(): Promise<SwarmRole>;
  /** `docker stack deploy` of this stack file (its YAML text); `prune` removes services it no longer lists. */
  deployStack(stack: string, stackFile: string, prune: boolean): Promise<void>;
  /** Removes the stack and waits until its services and networks are gone. */
  removeStack(stack: string, signal?: AbortSignal): Promise<{ services: number; networks: number }>;
  /** Services of the stack (their names inside the stack). */
  services(stack: string): Promise<string[]>;
  tasks(stack: string): Promise<SwarmTask[]>;
  tagImage(source: string, ref: string): Promise<void>;
  pushImage(ref: string, onLine?: (line: string) => void): Promise<void>;
  /** Named volumes the stack created (label `com.docker.stack.namespace`). */
  removeStackVolumes(stack: string): Promise<string[]>;
}
