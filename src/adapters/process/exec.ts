import type { ExecResult } from '../../core/ports.js';

/**
 * Runs `cmd` on the host as a replica's exec (healthcheck tests, orch's exec probe, `exec:` smoke
 * checks): in its cwd and environment, stdout and stderr together in arrival order. A timeout or
 * an abort rejects (TimeoutError / AbortError) as a container exec does, and kills what it started.
 */
export async function runOnHost(
  cmd: readonly string[],
  opts: { cwd: string; env: Readonly<Record<string, string>>; timeoutMs?: number; signal?: AbortSignal },
): Promise<ExecResult> {
  opts.signal?.throwIfAborted();
  const [file, ...args] = cmd;
  if (file === undefined) return { exitCode: 127, output: 'exec: empty command' };
  // Loaded on first use: execa costs ~0.25 s to import here, which `orch ps` (this runtime
  // lists replicas there) must not pay.
  const { execa } = await import('execa');
  const r = await execa(file, args, {
    cwd: opts.cwd,
    env: { ...opts.env },
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    reject: false,
    stripFinalNewline: false,
    forceKillAfterDelay: 1_000,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  if (r.timedOut)
    throw new DOMException(`exec timed out after ${opts.timeoutMs}ms: ${cmd.join(' ')}`, 'TimeoutError');
  if (r.isCanceled) throw new DOMException('exec aborted', 'AbortError');
  // Not found / not executable: the codes a shell (and `docker exec`) gives.
  if (r.exitCode === undefined) {
    const code = (r.cause as NodeJS.ErrnoException | undefined)?.code;
    return { exitCode: code === 'EACCES' ? 126 : 127, output: r.all ?? r.shortMessage };
  }
  return { exitCode: r.exitCode, output: r.all ?? '' };
}
