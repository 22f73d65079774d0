import type { LogLine } from '../ports.js';
import type { ReplicaId, ReplicaSnapshot, RuntimeEvent, RuntimePort, Runtimes } from './port.js';

/** The project's replicas across runtimes, read as one: what the log capture follows. */
export type ReplicaReader = Pick<RuntimePort, 'list' | 'logs' | 'events'>;

/**
 * Every runtime of a stack as one reader: a list of all replicas, each replica's logs from the
 * runtime that runs it, and the events of all. With one runtime, that runtime itself.
 */
export function allReplicas(runtimes: Runtimes): ReplicaReader {
  const [only] = runtimes.all;
  if (runtimes.all.length === 1 && only) return only;
  /** Which runtime listed (or reported) each replica: its logs come from there. */
  const owner = new Map<ReplicaId, RuntimePort>();
  const ownerOf = (id: ReplicaId): RuntimePort => {
    const r = owner.get(id) ?? runtimes.all[0];
    if (!r) throw new Error('no runtime');
    return r;
  };
  return {
    async list(projectName, filter) {
      const lists = await Promise.all(
        runtimes.all.map(async (rt) => {
          const replicas = await rt.list(projectName, filter);
          for (const r of replicas) owner.set(r.id, rt);
          return replicas;
        }),
      );
      return lists.flat() as readonly ReplicaSnapshot[];
    },
    logs(id, opts): AsyncIterable<readonly LogLine[]> {
      return ownerOf(id).logs(id, opts);
    },
    events(projectName, signal) {
      return merge(
        runtimes.all.map((rt) => tagged(rt, rt.events(projectName, signal), owner)),
        signal,
      );
    },
  };
}

async function* tagged(
  rt: RuntimePort,
  events: AsyncIterable<RuntimeEvent>,
  owner: Map<ReplicaId, RuntimePort>,
): AsyncIterable<RuntimeEvent> {
  for await (const ev of events) {
    owner.set(ev.id, rt);
    yield ev;
  }
}

/**
 * The items of several async iterables as they come. Ends when all end; the first error ends it
 * (as one runtime's broken stream would end a single one).
 */
async function* merge<T>(sources: readonly AsyncIterable<T>[], signal: AbortSignal): AsyncIterable<T> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number): void => {
    const it = its[i];
    if (it)
      pending.set(
        i,
        it.next().then((r) => ({ i, r })),
      );
  };
  its.forEach((_, i) => pull(i));
  try {
    while (pending.size > 0 && !signal.aborted) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield r.value;
    }
  } finally {
    await Promise.allSettled(its.map((it) => it.return?.()));
  }
}
