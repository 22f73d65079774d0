import { Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { engineDeps } from '../cli/composition.js';
import { isPortFree } from '../adapters/port-check.js';
import { ExitCode, isOrchError } from '../errors/index.js';
import { renderChecks } from '../ui/lines.js';

export default class Doctor extends OrchCommand {
  static override summary =
    'Check the set-up: is the Docker engine reachable, its API version, the gateway port free.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];
  static override enableJsonFlag = true;
  static override flags = {
    'gateway-port': Flags.integer({ description: 'gateway port to check', default: 8080 }),
  };

  /** The checks, passed or not; the exit code says whether the engine (3) or another check (1) failed. */
  async run(): Promise<DoctorCheck[]> {
    const { flags } = await this.parse(Doctor);
    const style = this.errStyle();
    const checks: DoctorCheck[] = [];
    try {
      const info = await engineDeps().docker.ping();
      checks.push({ check: 'engine', ok: true, detail: `Docker ${info.version}, API ${info.apiVersion}` });
    } catch (e) {
      if (!isOrchError(e)) throw e;
      checks.push({ check: 'engine', ok: false, detail: e.message, hint: e.hint });
    }
    const port = flags['gateway-port'];
    const free = await isPortFree('127.0.0.1', port);
    checks.push({
      check: 'gateway port',
      ok: free,
      detail: `127.0.0.1:${port} ${free ? 'is free' : 'is in use'}`,
      ...(free ? {} : { hint: 'stop what uses it, or set x-orch.gateway.port / --gateway-port' }),
    });
    if (!this.jsonEnabled()) this.say(renderChecks(checks, style));
    const engineOk = checks[0]?.ok === true;
    if (!engineOk) process.exitCode = ExitCode.noEngine;
    else if (!checks.every((c) => c.ok)) process.exitCode = ExitCode.stackFailed;
    return checks;
  }
}

export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
  hint?: string;
}
