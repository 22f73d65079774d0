import { hostname } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { engineDeps } from '../cli/composition.js';
import { onInterrupt, type Interrupt } from '../cli/interrupt.js';
import { hostProject, type HostedProject } from '../cli/host.js';
import { projectArgs, startSupervisor, stopSupervisor } from '../cli/supervisor-process.js';
import { upProject, type EngineDeps, type UpResult } from '../core/engine/up.js';
import { downProject } from '../core/engine/down.js';
import { psProject } from '../core/engine/ps.js';
import { Label } from '../model/labels.js';
import type { Project } from '../model/project.js';
import {
  renderJUnit,
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
import { ExitCode, OrchError } from '../errors/index.js';
import { renderDiagnostics } from '../ui/errors.js';
import { renderUpEvent } from '../ui/up-view.js';
import { renderSessionEvent } from '../ui/session-view.js';
import { renderAccessLine, renderCheckEvent, renderSmokeSummary } from '../ui/smoke-view.js';

export default class Smoke extends OrchCommand {
  static override summary =
    'Start a fresh copy of the project, run its x-orch.smoke checks, and take it down.';
  static override description = [
    'Takes down any running project of the same name (containers and volumes), starts every service and waits until',
    'all are healthy, serves the gateway on a free port, runs the checks in the order written, then removes',
    'everything (`down --volumes`) unless --keep; also on failure, --timeout and Ctrl-C (exit 130).',
    'Exit 1 when a check failed or a service never became healthy. --artifacts DIR is written on every run it is',
    'given (passed or failed): result.json, gateway-access.log, and per service its full logs, ps row and inspect summary.',
    'run: checks see ORCH_GATEWAY_URL and ORCH_PROJECT in their environment.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> smoke',
    '<%= config.bin %> smoke --junit reports/smoke.xml --artifacts smoke-artifacts',
    '<%= config.bin %> smoke --json --timeout 120',
    '<%= config.bin %> smoke --keep',
  ];
  static override flags = {
    timeout: Flags.integer({
      description: 'give up after this many seconds, start-up included (exit 1)',
      min: 1,
      default: 300,
    }),
    junit: Flags.string({ description: 'write a JUnit XML report to this file' }),
    json: Flags.boolean({ description: 'print the result (checks, services, start-up timeline) as JSON' }),
    artifacts: Flags.string({
      description: 'write logs, ps, inspect, the gateway access log and result.json here',
    }),
    keep: Flags.boolean({ description: 'leave the project running afterwards (supervised, like up -d)' }),
    build: Flags.boolean({ description: 'build images before starting, even when they exist' }),
    'gateway-port': Flags.integer({
      description: 'gateway port during the run (default: a free port; run: checks get ORCH_GATEWAY_URL)',
      min: 0,
      default: 0,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Smoke);
    const { project, warnings } = await loadFromFlags(flags);
    const err = this.errStyle();
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, err));
    const deps = engineDeps();
    await deps.docker.ping();

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
    let host: HostedProject | undefined;
    let result: SmokeResult | undefined;
    let artifactsDir: string | undefined;
    // An error while starting (image, build, gateway port) is still reported, then rethrown.
    let startError: unknown;
    try {
      await this.fresh(project, deps);
      try {
        up = await upProject(
          project,
          {
            services: [],
            build: flags.build,
            waitReady: true,
            timeoutMs: flags.timeout * 1000,
            signal: interrupt.signal,
            onEvent: (e) => {
              const line = renderUpEvent(e, Date.now() - t0, err);
              if (line) this.say(line);
            },
          },
          deps,
        );
      } catch (e) {
        if (!interrupt.signal.aborted) startError = e;
      }
      let checks: CheckResult[] = [];
      let gateway: string | null = null;
      if (up?.ok && !signal.aborted) {
        try {
          host = await hostProject(project, up.tracker, deps, {
            noGateway: false,
            gatewayPort: flags['gateway-port'],
            onSessionEvent: (e) => this.say(renderSessionEvent(e, err)),
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
              docker: deps.docker,
              replicaOf: (s) => tracker.of(s).find((r) => r.state === 'running')?.id,
            }),
            clock: deps.clock,
            gatewayUrl: gateway ?? undefined,
          },
          signal,
          (e) => {
            const line = renderCheckEvent(e, total, err);
            if (line) this.say(line);
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
      const rows: ReplicaRow[] = host ? host.session.status() : await psProject(project, deps.docker);
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
          docker: deps.docker,
          rows,
          accessLines,
          result,
        });
    } finally {
      clearTimeout(timer);
      await http.close().catch(() => undefined);
      await host?.close();
      up?.tracker.close();
      await this.finish(project, deps, interrupt, {
        keep: flags.keep && !interrupt.signal.aborted,
        supervise: result?.ok === true,
        flags,
      });
      interrupt.dispose();
    }

    if (flags.junit !== undefined) {
      const file = resolve(flags.junit);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, renderJUnit(result, hostname()));
    }
    this.say(renderSmokeSummary(result, err));
    if (artifactsDir !== undefined) this.say(err.dim(`artifacts: ${artifactsDir}`));
    if (flags.json) this.printJson(result);
    if (result.outcome === 'interrupted') {
      process.exitCode = ExitCode.interrupted;
      return;
    }
    // Its own message and exit code (e.g. 1 for a missing image, 2 for a taken gateway port).
    if (startError !== undefined) throw startError;
    if (!result.ok) throw new OrchError('STACK_FAILED', failureSentence(result));
  }

  /** A fresh project: whatever runs under this name (and its volumes) goes first. */
  private async fresh(project: Project, deps: EngineDeps): Promise<void> {
    await stopSupervisor(project);
    const down = await downProject(project, { removeVolumes: true, onEvent: () => undefined }, deps.docker);
    const n = down.containers.length + down.volumes.length;
    if (n > 0)
      this.say(
        `orch: took down the running ${project.name} first (${down.containers.length} container(s), ${down.volumes.length} volume(s))`,
      );
  }

  /** Always runs: down --volumes (a second Ctrl-C kills instead of waiting), or hand over to a supervisor with --keep. */
  private async finish(
    project: Project,
    deps: EngineDeps,
    interrupt: Interrupt,
    opts: {
      keep: boolean;
      supervise: boolean;
      flags: { 'env-file'?: string[] | undefined; profile?: string[] | undefined };
    },
  ): Promise<void> {
    if (opts.keep) {
      if (!opts.supervise) {
        this.say(
          'orch: --keep: the containers are left for inspection (`orch ps`, `orch logs`; `orch down -v`)',
        );
        return;
      }
      try {
        const sup = await startSupervisor(
          project,
          projectArgs(project, {
            envFiles: opts.flags['env-file'] ?? [],
            profiles: opts.flags.profile ?? [],
          }),
        );
        this.say(`orch: --keep: ${project.name} stays up, supervised in the background`);
        if (sup.gateway) this.say(`  gateway: http://${urlHost(sup.gateway.host)}:${sup.gateway.port}/`);
      } catch (e) {
        this.say(`orch: --keep: the containers stay, but supervision did not start: ${(e as Error).message}`);
      }
      return;
    }
    const kill = async (): Promise<void> => {
      const cs = await deps.docker.listContainers([`${Label.project}=${project.name}`]);
      await Promise.all(cs.map((c) => deps.docker.killContainer(c.id).catch(() => undefined)));
    };
    const onForce = (): void => void kill();
    if (interrupt.signal.aborted) this.say('orch: stopping (Ctrl-C again to kill)…');
    interrupt.force.addEventListener('abort', onForce, { once: true });
    try {
      const down = await downProject(project, { removeVolumes: true, onEvent: () => undefined }, deps.docker);
      this.say(`orch: removed ${down.containers.length} container(s), ${down.volumes.length} volume(s)`);
    } finally {
      interrupt.force.removeEventListener('abort', onForce);
    }
  }
}

function failureSentence(r: SmokeResult): string {
  const parts = [
    ...r.services.filter((s) => !s.ready).map((s) => `service ${s.service} did not become healthy`),
    ...r.checks.filter((c) => c.status === 'failed').map((c) => `check "${c.name}" failed`),
  ];
  return `smoke failed: ${parts.join('; ') || 'see above'}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
