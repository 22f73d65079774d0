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
        (each) => runtimes.all.map((rt) => tagged(rt, rt.events(projectName, each), owner)),
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
 * The items of several event streams as they come, until the first of them ends or fails: a
 * runtime's stream ends only when it is lost (the engine closed it on its way down), and a merged
 * stream that went on with the others would hide that from whoever reconnects on its end.
 */
async function* merge<T>(
  open: (signal: AbortSignal) => readonly AsyncIterable<T>[],
  signal: AbortSignal,
): AsyncIterable<T> {
  // The others are stopped by their signal: a generator waiting for its next item would not see
  // a `return()` until that item came.
  const rest = new AbortController();
  const its = open(AbortSignal.any([signal, rest.signal])).map((s) => s[Symbol.asyncIterator]());
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
      if (r.done) return;
      pull(i);
      yield r.value;
    }
  } finally {
    rest.abort();
    await Promise.allSettled(its.map((it) => it.return?.()));
  }
}
