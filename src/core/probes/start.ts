import type { ServiceSpec } from '../../model/project.js';
import type { Clock, DockerHealthcheck } from '../ports.js';
import { checkOnce, type CheckOutcome } from './checks.js';
import type { ProbeDeps } from './types.js';
import { sleepOrAbort } from './wait.js';

/**
 * How often orch itself runs a replica's health test until it first passes, when the file sets no
 * `healthcheck.start_interval`. Docker's first check only comes one `interval` after the start
 * (30 s by default, and engines before API 1.44 know no start interval): a dependent would wait
 * that long on a dependency that was ready in a second.
 */
export const DEFAULT_START_INTERVAL_MS = 200;

/** Docker's default healthcheck timeout, for a test whose file sets none. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** The start interval of a service: the file's `healthcheck.start_interval`, else orch's default. */
export function startIntervalOf(service: ServiceSpec | undefined, fallback?: DockerHealthcheck): number {
  return service?.healthcheck?.startIntervalMs ?? fallback?.startIntervalMs ?? DEFAULT_START_INTERVAL_MS;
}

/** What orch runs itself to learn early that a replica's Docker healthcheck would pass. */
export interface StartCheck {
  /** argv to exec in the container. */
  readonly command: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * The replica's Docker health test as an exec: the file's healthcheck, else the container's own
 * (the image's HEALTHCHECK, as the engine reports it). `CMD-SHELL` runs through `/bin/sh -c`, as
 * Docker does for containers without a SHELL of their own. undefined: nothing to run.
 */
export function startCheckOf(
  service: ServiceSpec | undefined,
  container?: DockerHealthcheck,
): StartCheck | undefined {
  const hc = service?.healthcheck;
  if (hc?.disable) return undefined;
  const fromFile = hc && hc.test.length > 0 ? hc : undefined;
  const test = fromFile?.test ?? container?.test ?? [];
  const command = execOfTest(test);
  if (!command) return undefined;
  return {
    command,
    intervalMs: startIntervalOf(service, container),
    timeoutMs: fromFile?.timeoutMs ?? container?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export function execOfTest(test: readonly string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

/**
 * Runs `check` every `intervalMs` until one passes, and returns that outcome; undefined when
 * `signal` aborts first. Unlike Docker's interval (end of one check to the start of the next),
 * this one runs from start to start, never two at once: on a loaded engine an exec takes as long
 * as the interval, and waiting a full interval after it would double the time to notice. Failures
 * are not verdicts here: until the first pass the replica is only starting, and the health
 * source's own rules (Docker's, or orch's probe loop) decide when it is unhealthy.
 */
export async function untilFirstPass(
  check: (signal: AbortSignal) => Promise<CheckOutcome>,
  clock: Clock,
  intervalMs: number,
  signal: AbortSignal,
): Promise<CheckOutcome | undefined> {
  while (!signal.aborted) {
    const began = clock.now();
    const outcome = await check(signal);
    if (signal.aborted) return undefined;
    if (outcome.ok) return outcome;
    const wait = Math.max(0, intervalMs - (clock.now() - began));
    if (!(await sleepOrAbort(clock, wait, signal))) return undefined;
  }
  return undefined;
}

/**
 * Runs a replica's Docker health test in the container at its start interval until it first
 * passes: the outcome of that pass, or undefined when `signal` aborts first.
 */
export function startProbe(
  check: StartCheck,
  replicaId: string,
  deps: Pick<ProbeDeps, 'clock' | 'runtime'>,
  signal: AbortSignal,
): Promise<CheckOutcome | undefined> {
  const spec = {
    kind: 'exec',
    command: check.command,
    timeoutMs: check.timeoutMs,
    intervalMs: check.intervalMs,
    retries: 1,
    startPeriodMs: 0,
  } as const;
  // checkOnce only reaches the network for http/tcp probes; an exec never touches `net`.
  const noNet = {
    httpGet: () => Promise.reject(new Error('no network in an exec check')),
    tcpConnect: () => Promise.reject(new Error('no network in an exec check')),
  };
  const target = { replicaId, hostAddress: () => undefined };
  return untilFirstPass(
    (s) => checkOnce(spec, target, { ...deps, net: noNet }, s),
    deps.clock,
    check.intervalMs,
    signal,
  );
}
