import { EventEmitter, on } from 'node:events';
import type { HealthStatus } from '../../core/ports.js';
import type { RuntimeEvent } from '../../core/runtime/port.js';
import type { ProcessRecord } from './state.js';

type Lifecycle = { type: 'create' | 'start' | 'stop' | 'destroy' } | { type: 'die'; exitCode: number };

/**
 * The runtime's events, per project, as the engine's event stream gives a container's: what this
 * runtime did or noticed is published here, and every follower of the project gets it.
 */
export class ProcessEvents {
  private readonly emitters = new Map<string, EventEmitter>();

  lifecycle(rec: ProcessRecord, e: Lifecycle): void {
    this.publish(rec.project, { ...e, id: rec.id, labels: rec.labels, time: Date.now() });
  }

  health(rec: ProcessRecord, health: HealthStatus, output: string): void {
    this.publish(rec.project, {
      type: 'health',
      id: rec.id,
      labels: rec.labels,
      health,
      ...(health === 'unhealthy' ? { output } : {}),
      time: Date.now(),
    });
  }

  /** What is published for the project from now until `signal` aborts. */
  async *follow(projectName: string, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    try {
      for await (const [event] of on(this.emitter(projectName), 'event', { signal }))
        yield event as RuntimeEvent;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  private publish(projectName: string, event: RuntimeEvent): void {
    this.emitter(projectName).emit('event', event);
  }

  private emitter(projectName: string): EventEmitter {
    let e = this.emitters.get(projectName);
    if (!e) {
      e = new EventEmitter();
      e.setMaxListeners(0);
      this.emitters.set(projectName, e);
    }
    return e;
  }
}
