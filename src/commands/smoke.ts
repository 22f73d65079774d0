import { hostname } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { engineDeps } from '../cli/composition.js';
import { settleGatewayPort } from '../cli/runtimes.js';
import { runSmoke } from '../cli/smoke-run.js';
import { renderJUnit, type SmokeResult } from '../core/smoke/index.js';
import { ExitCode, OrchError } from '../errors/index.js';
import { renderDiagnostics } from '../ui/errors.js';
import { renderSmokeSummary } from '../ui/smoke-view.js';
import { detail } from '../ui/lines.js';

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

  /** --json: the result (checks, services, start-up timeline), also when a check failed. */
  static override enableJsonFlag = true;

  async run(): Promise<SmokeResult> {
    const { flags } = await this.parse(Smoke);
    const { project, warnings } = await loadFromFlags(flags);
    const err = this.errStyle();
    if (warnings.length > 0) this.say(renderDiagnostics(warnings, err));
    const gatewayPort =
      (await settleGatewayPort(project, { noGateway: false, port: flags['gateway-port'] })) ?? 0;
    const deps = engineDeps({ projectDir: project.projectDir, gateway: { port: gatewayPort } });
    await deps.docker.ping();

    const { result, artifactsDir, startError } = await runSmoke(
      project,
      deps,
      { ...flags, 'gateway-port': gatewayPort, json: this.jsonEnabled() },
      (t) => this.say(t),
      err,
    );

    if (flags.junit !== undefined) {
      const file = resolve(flags.junit);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, renderJUnit(result, hostname()));
    }
    this.say(renderSmokeSummary(result, err));
    if (artifactsDir !== undefined) this.say(detail(err, `artifacts: ${artifactsDir}`));
    if (result.outcome === 'interrupted') {
      process.exitCode = ExitCode.interrupted;
      return result;
    }
    // Its own message and exit code (e.g. 1 for a missing image, 2 for a taken gateway port).
    if (startError !== undefined) this.failWith(result, asError(startError));
    if (!result.ok) this.failWith(result, new OrchError('STACK_FAILED', failureSentence(result)));
    return result;
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function failureSentence(r: SmokeResult): string {
  const parts = [
    ...r.services.filter((s) => !s.ready).map((s) => `service ${s.service} did not become healthy`),
    ...r.checks.filter((c) => c.status === 'failed').map((c) => `check "${c.name}" failed`),
  ];
  return `smoke failed: ${parts.join('; ') || 'see above'}`;
}
