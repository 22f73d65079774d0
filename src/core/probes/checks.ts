import type { ProbeSpec } from '../../model/project.js';
import type { Clock } from '../ports.js';
import type { ProbeDeps, ProbeTarget } from './types.js';

export type PollingProbeSpec = Extract<ProbeSpec, { kind: 'http' | 'tcp' | 'exec' }>;

export interface CheckOutcome {
  ok: boolean;
  detail: string;
}

/** One check of a polling probe. Never rejects: every error is a failed check with a reason. */
export function checkOnce(
  spec: PollingProbeSpec,
  target: ProbeTarget,
  deps: ProbeDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  // The ports get the timeout too, but we enforce it on the clock ourselves so a port that ignores
  // it (or a hung socket) cannot stall the probe loop.
  return withTimeout(deps.clock, spec.timeoutMs, signal, (inner) => attempt(spec, target, deps, inner));
}

async function attempt(
  spec: PollingProbeSpec,
  target: ProbeTarget,
  deps: ProbeDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  switch (spec.kind) {
    case 'http': {
      const addr = target.hostAddress(spec.port);
      if (!addr) return unpublished(spec.port);
      const path = spec.path.startsWith('/') ? spec.path : `/${spec.path}`;
      const url = `http://${hostPart(addr.host)}:${addr.port}${path}`;
      const { status } = await deps.net.httpGet(url, spec.timeoutMs, signal);
      const ok = spec.status !== undefined ? status === spec.status : status >= 200 && status < 400;
      return { ok, detail: `GET ${url} → ${status}` };
    }
    case 'tcp': {
      const addr = target.hostAddress(spec.port);
      if (!addr) return unpublished(spec.port);
      await deps.net.tcpConnect(addr.host, addr.port, spec.timeoutMs, signal);
      return { ok: true, detail: `connected to ${hostPart(addr.host)}:${addr.port}` };
    }
    case 'exec': {
      const r = await deps.runtime.exec(target.replicaId, spec.command, {
        timeoutMs: spec.timeoutMs,
        signal,
      });
      const output = r.output.trim();
      const tail = output.length > 200 ? `…${output.slice(-200)}` : output;
      return { ok: r.exitCode === 0, detail: `exit code ${r.exitCode}${tail ? `: ${tail}` : ''}` };
    }
    default: {
      const _exhaustive: never = spec;
      return _exhaustive;
    }
  }
}

function unpublished(port: number): CheckOutcome {
  return { ok: false, detail: `container port ${port} is not published on the host` };
}

/** IPv6 literals need brackets in a URL and in `host:port` text. */
function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function withTimeout(
  clock: Clock,
  timeoutMs: number,
  signal: AbortSignal,
  run: (signal: AbortSignal) => Promise<CheckOutcome>,
): Promise<CheckOutcome> {
  const inner = new AbortController();
  const forward = (): void => inner.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  try {
    const check = run(inner.signal).catch((e: unknown) => ({ ok: false, detail: messageOf(e) }));
    // When the check wins, the aborted timer's rejection lands here instead of going unhandled.
    const timer = clock.sleep(timeoutMs, inner.signal).then(
      () => ({ ok: false, detail: `timed out after ${timeoutMs}ms` }),
      () => ({ ok: false, detail: 'aborted' }),
    );
    return await Promise.race([check, timer]);
  } finally {
    signal.removeEventListener('abort', forward);
    inner.abort();
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
