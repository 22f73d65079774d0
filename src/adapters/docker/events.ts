import type Docker from 'dockerode';
import type { EngineEvent } from '../../core/ports.js';
import { mapHealth } from './map-inspect.js';
import { jsonLines } from './json-lines.js';
import { untilAborted } from './streams.js';

type LifecycleType = Exclude<EngineEvent['type'], 'health'>;
const LIFECYCLE: ReadonlySet<string> = new Set<LifecycleType>([
  'start',
  'die',
  'stop',
  'kill',
  'destroy',
  'create',
  'oom',
]);

// Actor attributes the engine adds next to the container's labels.
const NON_LABEL_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'execID', 'execDuration']);

/** One raw engine event (`/events` JSON) as an `EngineEvent`, or undefined for ones orch ignores. */
export function mapEngineEvent(doc: Record<string, unknown>): EngineEvent | undefined {
  if (doc['Type'] !== 'container') return undefined;
  const action = typeof doc['Action'] === 'string' ? doc['Action'] : '';
  const actor = (doc['Actor'] ?? {}) as { ID?: unknown; Attributes?: Record<string, unknown> };
  const id = typeof actor.ID === 'string' ? actor.ID : typeof doc['id'] === 'string' ? doc['id'] : '';
  if (id === '') return undefined;
  const attributes = actor.Attributes ?? {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (!NON_LABEL_ATTRIBUTES.has(k) && typeof v === 'string') labels[k] = v;
  }
  const time =
    typeof doc['timeNano'] === 'number'
      ? Math.floor(doc['timeNano'] / 1e6)
      : typeof doc['time'] === 'number'
        ? doc['time'] * 1000
        : Date.now();

  // e.g. "health_status: healthy"; newer engines also send "exec_start: sh -c ..." which we skip.
  if (action.startsWith('health_status')) {
    const status = action.slice(action.indexOf(':') + 1).trim();
    return { type: 'health', id, labels, health: mapHealth(status), time };
  }
  if (!LIFECYCLE.has(action)) return undefined;
  const exitCodeText = attributes['exitCode'];
  const exitCode = typeof exitCodeText === 'string' && exitCodeText !== '' ? Number(exitCodeText) : undefined;
  return {
    type: action as LifecycleType,
    id,
    labels,
    time,
    ...(exitCode === undefined || Number.isNaN(exitCode) ? {} : { exitCode }),
  };
}

export async function* containerEvents(
  docker: Docker,
  labelFilters: readonly string[],
  signal: AbortSignal,
): AsyncGenerator<EngineEvent> {
  if (signal.aborted) return;
  const stream = await docker.getEvents({
    filters: { type: ['container'], ...(labelFilters.length > 0 ? { label: [...labelFilters] } : {}) },
    abortSignal: signal,
  });
  for await (const doc of jsonLines(untilAborted(stream, signal))) {
    const event = mapEngineEvent(doc);
    if (event?.type === 'health' && event.health === 'unhealthy') {
      // The event carries no output: read it here, in stream order, so `unhealthy` says why.
      const output = await lastHealthOutput(docker, event.id);
      yield output === undefined ? event : { ...event, output };
    } else if (event) yield event;
  }
}

/** The newest entry of the container's health log, trimmed; undefined when it cannot be read. */
async function lastHealthOutput(docker: Docker, id: string): Promise<string | undefined> {
  try {
    const info = (await docker.getContainer(id).inspect()) as {
      State?: { Health?: { Log?: readonly { Output?: string }[] | null } | null };
    };
    const out = info.State?.Health?.Log?.at(-1)?.Output;
    return out === undefined ? undefined : out.trim().slice(0, 2000);
  } catch {
    return undefined;
  }
}
