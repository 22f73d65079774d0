import { Args, Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { engineDeps } from '../cli/composition.js';
import { settleGatewayPort } from '../cli/runtimes.js';
import { onInterrupt } from '../cli/interrupt.js';
import { runForeground, tearDownOnInterrupt } from '../cli/foreground.js';
import { projectArgs, spawnSupervisor, stopSupervisor } from '../cli/supervisor-process.js';
import { handoverFrom } from '../cli/handover.js';
import { liveProgress, upProgress } from '../cli/up-progress.js';
import { upProject, type UpResult } from '../core/engine/up.js';
import { ExitCode, OrchError } from '../errors/index.js';
import { renderDiagnostics } from '../ui/errors.js';
import { renderFailures, renderTimeline } from '../ui/up-view.js';
import { detail, success } from '../ui/lines.js';
import { dashboardArgs, dashboardOption, recordStartup } from '../cli/dashboard.js';
import { stateDir } from '../adapters/control/paths.js';

export default class Up extends OrchCommand {
  static override summary =
    'Build, start and supervise the project, each service as soon as its dependencies are ready.';
  static override description =
    'In the foreground, streams logs until Ctrl-C, which stops and removes the containers (a second Ctrl-C kills them) and exits 130.';
  static override strict = false;
  static override args = {
    service: Args.string({ description: 'services to start (their dependencies come along)' }),
  };
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up -d --wait',
    '<%= config.bin %> up api --build',
    '<%= config.bin %> up -d --wait --timeout 120 --json',
  ];
  static override flags = {
    detach: Flags.boolean({ char: 'd', description: 'return once all services are started' }),
    wait: Flags.boolean({ description: 'return once all services are healthy (or done, for one-shot jobs)' }),
    timeout: Flags.integer({ description: 'give up after this many seconds (exit 1)', min: 1 }),
    build: Flags.boolean({ description: 'build images before starting, even when they exist' }),
    'no-gateway': Flags.boolean({ description: 'do not serve the gateway' }),
    'gateway-port': Flags.integer({ description: 'gateway port (overrides x-orch.gateway.port)', min: 0 }),
    watch: Flags.boolean({
      description: 'sync, restart or rebuild on file changes (develop.watch) and apply project-file edits',
    }),
    'no-dashboard': Flags.boolean({ description: 'do not serve the dashboard' }),
    'dashboard-port': Flags.integer({
      description: 'dashboard port (overrides x-orch.dashboard.port)',
      min: 0,
      max: 65535,
    }),
  };

  /** --json: the start-up result (services, failures, start-up timeline), also when it failed. */
  static override enableJsonFlag = true;

  async run(): Promise<UpSummary | undefined> {
    const { flags, argv } = await this.parse(Up);
    const { project, warnings } = await loadFromFlags(flags);
    const err = this.errStyle();
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, err));
    // The engine client loads while the engine is pinged and the supervisor spawned.
    const gatewayPort = await settleGatewayPort(project, {
      noGateway: flags['no-gateway'],
      port: flags['gateway-port'],
    });
    const deps = engineDeps({
      projectDir: project.projectDir,
      preloadClient: true,
      ...(flags['no-gateway'] ? {} : { gateway: gatewayPort !== undefined ? { port: gatewayPort } : {} }),
    });
    await deps.docker.ping();
    // One supervisor per project: a running one lets go (containers stay) and is started afresh below.
    await stopSupervisor(project);
    const interrupt = onInterrupt();
    const t0 = Date.now();
    const waitReady = flags.wait;
    const detached = flags.detach || flags.wait;
    const supervisorArgs = [
      ...projectArgs(project, { envFiles: flags['env-file'] ?? [], profiles: flags.profile ?? [] }),
      ...(flags['no-gateway'] ? ['--no-gateway'] : []),
      ...(gatewayPort !== undefined ? ['--gateway-port', String(gatewayPort)] : []),
      ...(flags.watch ? ['--watch'] : []),
      ...dashboardArgs(flags),
    ];
    // The background supervisor boots while the stack comes up, and takes it over at the end.
    const pending = detached ? await spawnSupervisor(project, supervisorArgs) : undefined;
    let handedOver = false;
    // A live board on a colour terminal, else a line per step; finished before anything else prints.
    const progress = upProgress({
      project,
      services: argv as string[],
      waitReady,
      live: liveProgress(process.stderr, err, this.jsonEnabled()),
      style: err,
      say: (text) => this.say(text),
      t0,
    });
    try {
      let result: UpResult;
      try {
        result = await upProject(
          project,
          {
            services: argv as string[],
            build: flags.build,
            waitReady,
            ...(flags.timeout ? { timeoutMs: flags.timeout * 1000 } : {}),
            signal: interrupt.signal,
            onEvent: progress.onEvent,
            onBuildLine: (service, line) =>
              flags.debug && progress.line(detail(err, `${service} build | ${line}`)),
          },
          deps,
        );
      } finally {
        progress.finish();
      }
      const summary: UpSummary = {
        ok: result.ok,
        project: project.name,
        services: result.services,
        timeline: result.timeline,
        failures: result.failures,
      };
      if (!result.ok) {
        result.tracker.close();
        this.say(renderFailures(result.failures, err));
        this.failWith(
          summary,
          new OrchError(
            'STACK_FAILED',
            `${result.failures.length} service(s) did not come up: ${result.failures.map((f) => f.service).join(', ')}`,
            {
              hint: 'the containers are left for inspection (`orch ps`, `orch logs`); `orch down` removes them',
            },
          ),
        );
      }
      if (waitReady) this.say(renderTimeline(result.timeline, err));
      await recordStartup(stateDir(project), t0, result.timeline);
      if (pending) {
        const healthy = waitReady
          ? new Set(
              result.tracker
                .all()
                .filter((r) => r.state === 'running' && result.tracker.health(r) === 'healthy')
                .map((r) => `${r.service}/${r.replica}`),
            )
          : undefined;
        const handover = handoverFrom(result.tracker.all());
        result.tracker.close();
        handedOver = true;
        const sup = await pending.adopt(healthy, handover);
        this.say(
          success(
            err,
            `${project.name}: ${result.services.length} service(s) ${waitReady ? 'ready' : 'started'}, supervised in the background`,
          ),
        );
        if (sup.gateway) this.say(`  gateway: http://${sup.gateway.host}:${sup.gateway.port}/`);
        if (sup.dashboard) this.say(`  dashboard: ${sup.dashboard}`);
        return { ...summary, ...(sup.dashboard ? { dashboard: sup.dashboard } : {}) };
      }
      // In the foreground the stack runs on until Ctrl-C: the start-up result is printed now.
      if (this.jsonEnabled()) this.logJson(summary);
      await runForeground(
        project,
        result,
        deps,
        interrupt,
        {
          noGateway: flags['no-gateway'],
          ...(gatewayPort !== undefined ? { gatewayPort } : {}),
          watch: flags.watch,
          reload: (fs) => loadFromFlags(flags, fs),
          ...dashboardOption(flags),
        },
        {
          out: (text) => this.out(text),
          say: (text) => this.say(text),
          style: this.outStyle(),
          errStyle: err,
        },
      );
      process.exitCode = ExitCode.interrupted;
      return undefined;
    } catch (e) {
      if (pending && !handedOver) await pending.abort();
      if (interrupt.signal.aborted) {
        await tearDownOnInterrupt(project, deps, interrupt, (text) => this.say(text));
        process.exitCode = ExitCode.interrupted;
        return undefined;
      }
      throw e;
    } finally {
      progress.finish();
      interrupt.dispose();
    }
  }
}

/** What `up` reports: per service how it came up, the start-up timeline, and what failed. */
export interface UpSummary {
  ok: boolean;
  project: string;
  services: UpResult['services'];
  timeline: UpResult['timeline'];
  failures: UpResult['failures'];
  /** `up -d`: the background supervisor's dashboard URL (with its token). */
  dashboard?: string;
}
