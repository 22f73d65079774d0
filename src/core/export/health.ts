import type { Healthcheck, ProbeSpec, ServiceSpec } from '../../model/project.js';
import type { Warnings } from './types.js';

/** Quote one word for /bin/sh (single quotes; a single quote becomes '\''). */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A healthcheck test (`CMD ...` / `CMD-SHELL cmd`) as one shell command line. */
function testAsShell(test: readonly string[]): string | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD-SHELL') return rest.join(' ');
  if (kind === 'CMD') return rest.map(shQuote).join(' ');
  return undefined;
}

/**
 * An orch probe as a shell command the container runs itself. The image may carry curl, wget or
 * only node (orch's templates and node:*-slim have neither curl nor wget), so the command uses
 * whichever is there.
 */
function probeAsShell(p: ProbeSpec): string | undefined {
  switch (p.kind) {
    case 'http': {
      const url = `http://127.0.0.1:${p.port}${p.path.startsWith('/') ? '' : '/'}${p.path}`;
      const ok = p.status === undefined ? 'r.status<400' : `r.status===${p.status}`;
      const node = `node -e ${shQuote(`fetch(${JSON.stringify(url)}).then(r=>process.exit(${ok}?0:1),()=>process.exit(1))`)}`;
      if (p.status !== undefined) return node;
      return (
        `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null ${shQuote(url)}; ` +
        `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null ${shQuote(url)}; ` +
        `else ${node}; fi`
      );
    }
    case 'tcp': {
      const node = `node -e ${shQuote(`require("net").connect(${p.port},"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))`)}`;
      return `if command -v nc >/dev/null 2>&1; then nc -z 127.0.0.1 ${p.port}; else ${node}; fi`;
    }
    case 'exec':
      return p.command.map(shQuote).join(' ');
    case 'log':
      return undefined;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** Timing of a container healthcheck, in milliseconds (Docker's defaults where unset). */
export interface HealthTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

export interface ContainerHealth {
  /** `['CMD', ...]` or `['CMD-SHELL', cmd]`. */
  readonly test: readonly string[];
  readonly timing: HealthTiming;
}

const DOCKER_DEFAULTS: HealthTiming = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 };

function fileTiming(h: Healthcheck): HealthTiming {
  return {
    intervalMs: h.intervalMs ?? DOCKER_DEFAULTS.intervalMs,
    timeoutMs: h.timeoutMs ?? DOCKER_DEFAULTS.timeoutMs,
    retries: h.retries ?? DOCKER_DEFAULTS.retries,
    startPeriodMs: h.startPeriodMs ?? DOCKER_DEFAULTS.startPeriodMs,
  };
}

/** The file's own healthcheck, when it has a test (an empty test keeps the image's). */
export function fileHealthcheck(s: ServiceSpec): ContainerHealth | undefined {
  const h = s.healthcheck;
  if (!h || h.disable || h.test.length === 0 || h.test[0] === 'NONE') return undefined;
  const test = h.test[0] === 'CMD' || h.test[0] === 'CMD-SHELL' ? h.test : ['CMD', ...h.test];
  return { test, timing: fileTiming(h) };
}

/**
 * Every health source of the service as one Docker healthcheck (an engine runs one per
 * container; orch's rule is that a service is healthy when all of its sources pass, so both
 * commands must succeed). A log probe cannot be run by the container: it warns.
 */
export function combinedHealthcheck(s: ServiceSpec, warnings: Warnings): ContainerHealth | undefined {
  const file = fileHealthcheck(s);
  const p = s.orch.probe;
  if (!p) return file;
  const probe = probeAsShell(p);
  if (probe === undefined) {
    warnings.add(
      s.name,
      'x-orch.probe.log',
      'a log probe watches the container’s output from outside; no engine runs it as a healthcheck (dropped)',
    );
    return file;
  }
  const timing: HealthTiming = {
    intervalMs: p.intervalMs,
    timeoutMs: p.timeoutMs,
    retries: p.retries,
    startPeriodMs: p.startPeriodMs,
  };
  if (!file) return { test: p.kind === 'exec' ? ['CMD', ...p.command] : ['CMD-SHELL', probe], timing };
  const fileShell = testAsShell(file.test) ?? '';
  return {
    test: ['CMD-SHELL', `(${fileShell}) && (${probe})`],
    timing: {
      intervalMs: Math.min(file.timing.intervalMs, timing.intervalMs),
      timeoutMs: Math.max(file.timing.timeoutMs, timing.timeoutMs),
      retries: Math.max(file.timing.retries, timing.retries),
      startPeriodMs: Math.max(file.timing.startPeriodMs, timing.startPeriodMs),
    },
  };
}
