import type { ChalkInstance } from 'chalk';
import { runStack, type RunningStack } from './composition.js';
import { hasHostProcesses } from '../core/engine/container-spec.js';
import { onInterrupt, type Interrupt } from './interrupt.js';
import { projectArgs, startSupervisor, stopSupervisor } from './supervisor-process.js';
import { liveProgress, upProgress } from './up-progress.js';
import { upProject, type EngineDeps, type UpResult } from '../core/engine/up.js';
import { downProject } from '../core/engine/down.js';
import { psProject } from '../core/engine/ps.js';
import { statusRows } from '../core/reconciler/status.js';
import { killAll } from '../core/runtime/runtimes.js';
import type { Project } from '../model/project.js';
import {
  runChecks,
  serviceResults,
  skipAll,
  smokeResult,
  type CheckResult,
  type ReplicaRow,
  type SmokeResult,
} from '../core/smoke/index.js';
import { UndiciSmokeHttp } from '../adapters/smoke-http.js';
import { smokeRunner } from '../adapters/smoke-run.js';
import { writeArtifacts } from '../adapters/smoke-artifacts.js';
import { narrateEvent } from '../ui/event-view.js';
import { renderAccessLine, renderCheckEvent } from '../ui/smoke-view.js';

export interface SmokeFlags {
  readonly timeout: number;
  readonly artifacts?: string | undefined;
  readonly keep: boolean;
  readonly build: boolean;
  readonly 'gateway-port': number;
  readonly 'env-file'?: string[] | undefined;
  readonly profile?: string[] | undefined;
  /** --json: progress stays one line per step (no live board). */
  readonly json?: boolean | undefined;
}

export interface SmokeOutcome {
  readonly result: SmokeResult;
  readonly artifactsDir: string | undefined;
  /** The stack could not be started or served: reported in the result, then rethrown by the caller. */
  readonly startError: unknown;
}

/**
 * `orch smoke` from start to clean-up: a fresh project up with --wait semantics, the gateway,
 * the checks in order, artifacts, then down --volumes (or a hand-over with --keep). Always
 * cleans up, also on failure, --timeout and Ctrl-C.
 */
export async function runSmoke(
  project: Project,
  deps: EngineDeps,
  flags: SmokeFlags,
  say: (text: string) => void,
  err: ChalkInstance,
): Promise<SmokeOutcome> {
  const interrupt = onInterrupt();
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error(`smoke timed out after ${flags.timeout}s (--timeout)`)),
    flags.timeout * 1000,
  );
  const signal = AbortSignal.any([interrupt.signal, deadline.signal]);
  const http = new UndiciSmokeHttp();
  const accessLines: string[] = [];
  const startedAt = new Date();
  const t0 = Date.now();
  let up: UpResult | undefined;
  let host: RunningStack | undefined;
  let result: SmokeResult | undefined;
  let artifactsDir: string | undefined;
  // An error while starting (image, build, gateway port) is still reported, then rethrown.
  let startError: unknown;
  try {
    await fresh(project, deps, say);
    const progress = upProgress({
      project,
      services: [],
      waitReady: true,
      live: liveProgress(process.stderr, err, flags.json === true),
      style: err,
      say,
      t0,
    });
    try {
      up = await upProject(
        project,
        {
          services: [],
          build: flags.build,
          waitReady: true,
          timeoutMs: flags.timeout * 1000,
          signal: interrupt.signal,
          onEvent: progress.onEvent,
        },
        deps,
      );
    } catch (e) {
      if (!interrupt.signal.aborted) startError = e;
    } finally {
      progress.finish();
    }
    let checks: CheckResult[] = [];
    let gateway: string | null = null;
    if (up?.ok && !signal.aborted) {
      try {
        host = await runStack(up, deps, {
          noGateway: false,
          gatewayPort: flags['gateway-port'],
          listeners: [
            (e) => {
              const text = narrateEvent(e, err);
              if (text !== undefined) say(text);
            },
          ],
          onAccess: (e) => accessLines.push(renderAccessLine(e)),
        });
      } catch (e) {
        startError = e;
      }
    }
    if (host && up) {
      const tracker = up.tracker;
      if (host.gateway) gateway = `http://${urlHost(host.gateway.host)}:${host.gateway.port}`;
      const total = project.orch.smoke.length;
      checks = await runChecks(
        project.orch.smoke,
        {
          http,
          run: smokeRunner({
            cwd: project.projectDir,
            env: { ORCH_PROJECT: project.name, ...(gateway ? { ORCH_GATEWAY_URL: gateway } : {}) },
            replicaOf: (s) => {
              const r = tracker.of(s).find((x) => x.state === 'running');
              return r && { id: r.id, runtime: tracker.runtimeOf(r) };
            },
          }),
          clock: deps.clock,
          gatewayUrl: gateway ?? undefined,
        },
        signal,
        (e) => {
          const line = renderCheckEvent(e, total, err);
          if (line) say(line);
        },
      );
    } else {
      const why = interrupt.signal.aborted
        ? 'interrupted'
        : startError !== undefined
          ? 'the stack could not be started'
          : 'the stack did not become healthy';
      checks = skipAll(project.orch.smoke, `not run: ${why}`);
    }
    // Without a session (the stack never became healthy), the tracker still knows each replica's
    // health from orch's own probes, which the engine alone cannot report.
    const rows: ReplicaRow[] = host
      ? host.status()
      : up
        ? statusRows(up.tracker)
        : await psProject(project, deps);
    result = smokeResult({
      project: project.name,
      startedAt,
      durationMs: Date.now() - t0,
      gateway,
      interrupted: interrupt.signal.aborted,
      checks,
      services: serviceResults(
        up?.services ?? Object.keys(project.services),
        up?.failures ?? [],
        up?.timeline,
        rows,
      ),
      timeline: up?.timeline,
      startError: startError === undefined ? undefined : errorText(startError),
    });
    if (flags.artifacts !== undefined)
      artifactsDir = await writeArtifacts(flags.artifacts, {
        project: project.name,
        runtimes: deps.runtimes,
        rows,
        accessLines,
        result,
      });
  } finally {
    clearTimeout(timer);
    await http.close().catch(() => undefined);
    await host?.close();
    up?.tracker.close();
    await finish(project, deps, interrupt, say, {
      keep: flags.keep && !interrupt.signal.aborted,
      supervise: result?.ok === true,
      flags,
    });
    interrupt.dispose();
  }
  if (result === undefined) throw new Error('smoke ended without a result');
  return { result, artifactsDir, startError };
}

/** A fresh project: whatever runs under this name (and its volumes) goes first. */
async function fresh(project: Project, deps: EngineDeps, say: (t: string) => void): Promise<void> {
  await stopSupervisor(project);
  const down = await downProject(project, { removeVolumes: true, onEvent: () => undefined }, deps);
  const n = down.containers.length + down.volumes.length;
  if (n > 0)
    say(
      `orch: took down the running ${project.name} first (${down.containers.length} container(s), ${down.volumes.length} volume(s))`,
    );
}

/** Always runs: down --volumes (a second Ctrl-C kills instead of waiting), or hand over to a supervisor with --keep. */
async function finish(
  project: Project,
  deps: EngineDeps,
  interrupt: Interrupt,
  say: (t: string) => void,
  opts: {
    keep: boolean;
    supervise: boolean;
    flags: {
      'env-file'?: string[] | undefined;
      profile?: string[] | undefined;
      'gateway-port': number;
    };
  },
): Promise<void> {
  if (opts.keep) {
    if (!opts.supervise) {
      say('orch: --keep: the containers are left for inspection (`orch ps`, `orch logs`; `orch down -v`)');
      return;
    }
    try {
      const sup = await startSupervisor(project, [
        ...projectArgs(project, {
          envFiles: opts.flags['env-file'] ?? [],
          profiles: opts.flags.profile ?? [],
        }),
        // Host processes were told the gateway this run served: the supervisor serves it there.
        ...(hasHostProcesses(project) ? ['--gateway-port', String(opts.flags['gateway-port'])] : []),
      ]);
      say(`orch: --keep: ${project.name} stays up, supervised in the background`);
      if (sup.gateway) say(`  gateway: http://${urlHost(sup.gateway.host)}:${sup.gateway.port}/`);
    } catch (e) {
      say(`orch: --keep: the containers stay, but supervision did not start: ${(e as Error).message}`);
    }
    return;
  }
  const kill = (): Promise<void> => killAll(deps.runtimes, project.name);
  const onForce = (): void => void kill();
  if (interrupt.signal.aborted) say('orch: stopping (Ctrl-C again to kill)…');
  interrupt.force.addEventListener('abort', onForce, { once: true });
  try {
    const down = await downProject(project, { removeVolumes: true, onEvent: () => undefined }, deps);
    say(`orch: removed ${down.containers.length} container(s), ${down.volumes.length} volume(s)`);
  } finally {
    interrupt.force.removeEventListener('abort', onForce);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
