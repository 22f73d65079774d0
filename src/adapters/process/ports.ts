import { createServer } from 'node:net';
import { OrchError } from '../../errors/index.js';
import type { ReplicaSnapshot } from '../../core/runtime/port.js';
import type { ServiceSpec } from '../../model/project.js';
import type { ProcessStore } from './state.js';

/**
 * The host port replica `replica` listens on. A fixed port the service publishes (`ports:
 * "3000:3000"`) is used exactly, for its one replica; otherwise the kernel picks a free one (bound
 * on :0 and released: the window until the process binds it is the same one compose's ephemeral
 * ports have).
 */
export async function hostPortFor(
  spec: ServiceSpec,
  replica: number,
  /** The port this replica had before (or was promised to containers): kept while it is free. */
  preferred?: number,
): Promise<number | undefined> {
  const declared = spec.orch.process?.port;
  if (declared === undefined) return undefined;
  const fixed = fixedPort(spec);
  if (fixed === undefined)
    return preferred !== undefined && (await canListen(preferred)) ? preferred : freePort();
  const port = fixed;
  if (spec.replicas > 1 || replica > 1)
    throw new OrchError(
      'PORT_TAKEN',
      `host process \`${spec.name}\` publishes the fixed port ${port}, which only one replica can listen on`,
      { hint: `drop the host port from \`ports:\` (each replica then gets a free PORT), or run one replica` },
    );
  if (!(await canListen(port)))
    throw new OrchError('PORT_TAKEN', `port ${port} of host process \`${spec.name}\` is already in use`, {
      hint: 'stop what uses the port, or publish another one in `ports:`',
    });
  return port;
}

/** The host port the service publishes for its declared port, when it names one. */
function fixedPort(spec: ServiceSpec): number | undefined {
  const declared = spec.orch.process?.port;
  const fixed = spec.ports.find(
    (p) => p.target === declared && p.published !== undefined && /^\d+$/.test(p.published),
  );
  return fixed?.published !== undefined ? Number(fixed.published) : undefined;
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    // No host: the dual-stack wildcard, so a port taken on any address counts as taken.
    srv.listen({ port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr !== null ? addr.port : port;
      srv.close(() => resolve(got));
    });
  });
}

/** A port free on every address a moment ago (the kernel's pick). */
export function freePort(): Promise<number> {
  return listenOn(0);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

/**
 * The port replica `replica` has or will get: a fixed published one; else the existing replica's
 * (a running one first); else the one promised to it before, or one chosen and promised now.
 * Promises live in the state directory, so a replica keeps its port when it is recreated (while
 * the port is free) and a container made before the process learns it.
 */
export async function promisedPort(
  spec: ServiceSpec,
  replica: number,
  existing: readonly ReplicaSnapshot[],
  store: ProcessStore,
): Promise<number | undefined> {
  if (spec.orch.process?.port === undefined) return undefined;
  const fixed = fixedPort(spec);
  if (fixed !== undefined) return fixed;
  const current = [...existing]
    .sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running'))
    .find((r) => r.ports[0] !== undefined);
  if (current) return current.ports[0]?.hostPort;
  const key = `${spec.name}/${replica}`;
  const promised = (await store.ports())[key];
  if (promised !== undefined) return promised;
  const port = await hostPortFor(spec, replica);
  if (port !== undefined) await store.setPort(key, port);
  return port;
}
