import type Docker from 'dockerode';
import { getJson, getStream, type EngineAddress } from './engine-http.js';
import type { LogsQuery } from './logs.js';
import type { InspectLike } from './map-inspect.js';
import { ONE_SHOT, type StatsBody } from './stats.js';
import { untilAborted } from './streams.js';

/**
 * The engine calls on the paths `orch logs` and `orch ps` take (version, list, inspect, log
 * bytes), behind one interface chosen once per adapter: the plain socket client where the
 * endpoint allows it, else dockerode. The adapter reads through this without branching.
 *
 * Why two transports and not dockerode alone (measured: `orch logs` of 200,000 lines, as
 * `bench/logs/run.sh` reads them, nine runs each, alternated, on the shared 2-core machine): the
 * CPU time of the orch process (user+sys, steadier than wall time under load) is 1.02 s with the
 * plain client and 1.58 s with dockerode for these reads, +55%; wall time 5.1 s against 7.4 s.
 * Loading dockerode (ssh2 and the rest) costs 0.15–0.25 s of every start-up, and its HTTP/1.1
 * reader turns each log line into an HTTP chunk of its own; the plain client asks as HTTP/1.0 and
 * reads the raw body into large blocks (socket-reader.ts).
 */
export interface EngineReads {
  version(): Promise<{ Version: string; ApiVersion: string }>;
  /** `GET /containers/json`: the ids of the containers the query selects. */
  listContainers(query: {
    all: boolean;
    filters: { label: string[] };
  }): Promise<readonly { readonly Id: string }[]>;
  inspectContainer(id: string): Promise<InspectLike>;
  /** `GET /containers/{id}/stats`, one reading, at once. */
  stats(id: string): Promise<StatsBody>;
  /** A container's log bytes as they arrive, until the engine ends them or `signal` aborts. */
  logBytes(id: string, query: LogsQuery, signal?: AbortSignal): AsyncIterable<Buffer>;
}

/** Straight to the engine's socket (see engine-http.ts): unix sockets and plain tcp. */
export function plainReads(address: EngineAddress): EngineReads {
  const container = (id: string): string => `/containers/${encodeURIComponent(id)}`;
  return {
    version: () => getJson(address, '/version'),
    listContainers: (query) => getJson(address, '/containers/json', query),
    inspectContainer: (id) => getJson(address, `${container(id)}/json`),
    stats: (id) => getJson(address, `${container(id)}/stats`, ONE_SHOT),
    logBytes: (id, query, signal) => getStream(address, `${container(id)}/logs`, query, signal),
  };
}

/** Through dockerode, for the endpoints the plain client does not do (TLS, ssh, npipe). */
export function dockerodeReads(client: () => Promise<Docker>): EngineReads {
  return {
    version: async () => (await client()).version(),
    listContainers: async (query) => (await client()).listContainers(query),
    inspectContainer: async (id) =>
      (await (await client()).getContainer(id).inspect()) as unknown as InspectLike,
    // dockerode's types know `stream` only; it passes the rest of the query through as given.
    stats: async (id) =>
      (await (await client()).getContainer(id).stats(ONE_SHOT as { stream: false })) as unknown as StatsBody,
    async *logBytes(id, query, signal) {
      const docker = await client();
      const stream = query.follow
        ? await docker
            .getContainer(id)
            .logs({ ...query, follow: true, ...(signal === undefined ? {} : { abortSignal: signal }) })
        : await historicStream(docker, id, query, signal);
      yield* untilAborted(stream, signal);
    },
  };
}

/** `GET /containers/{id}/logs` without follow, as a stream (dockerode's own call buffers it). */
function historicStream(
  docker: Docker,
  id: string,
  query: LogsQuery,
  abortSignal: AbortSignal | undefined,
): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { ...query, follow: false },
        ...(abortSignal ? { abortSignal } : {}),
      },
      (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
    );
  });
}
