import { execa } from 'execa';
import type { ReplicaId, RuntimePort } from '../core/runtime/port.js';
import type { RunOutcome, SmokeRunPort } from '../core/smoke/index.js';

export interface SmokeRunOptions {
  /** Host commands run here (the project directory, like compose's relative paths). */
  readonly cwd: string;
  /** Extra environment for host commands (ORCH_GATEWAY_URL, ORCH_PROJECT). */
  readonly env: Readonly<Record<string, string>>;
  /** The replica that `exec:` checks run in (the service's first running one), and its runtime. */
  readonly replicaOf: (
    service: string,
  ) => { readonly id: ReplicaId; readonly runtime: Pick<RuntimePort, 'exec'> } | undefined;
}

/** `run:` checks on the host with execa, `exec:` checks in a replica via its runtime. */
export function smokeRunner(opts: SmokeRunOptions): SmokeRunPort {
  return {
    async host(command, { timeoutMs, signal }): Promise<RunOutcome> {
      const [file, ...args] = command;
      if (file === undefined) return { exitCode: 127, output: 'empty command' };
      const r = await execa(file, args, {
        cwd: opts.cwd,
        env: opts.env,
        all: true,
        reject: false,
        stdin: 'ignore',
        timeout: timeoutMs,
        cancelSignal: signal,
        forceKillAfterDelay: 2000,
      });
      if (r.timedOut) return { exitCode: 124, output: `timed out after ${timeoutMs}ms\n${r.all ?? ''}` };
      if (r.isCanceled) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
      // A command that could not start (ENOENT) has no exit code; say why.
      if (r.exitCode === undefined)
        return { exitCode: 127, output: r.shortMessage ?? r.message ?? 'could not start' };
      return { exitCode: r.exitCode, output: r.all ?? '' };
    },
    async service(service, command, { timeoutMs, signal }): Promise<RunOutcome> {
      const replica = opts.replicaOf(service);
      if (replica === undefined)
        return { exitCode: 125, output: `service ${service} has no running replica to exec in` };
      return replica.runtime.exec(replica.id, command, { timeoutMs, signal });
    },
  };
}
