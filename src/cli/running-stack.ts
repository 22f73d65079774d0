import type { Project } from '../model/project.js';
import type { ReplicaStats } from '../core/stats/sampler.js';
import { OrchError } from '../errors/index.js';
import type { ControlClient } from '../adapters/control/client.js';
import { controlClient } from './supervisor-process.js';

/**
 * The control socket of the project's running stack (foreground `up` or background supervisor):
 * every command that asks the running stack meets "not running" here, with one message, code and
 * exit (2).
 */
export async function runningStack(project: Project): Promise<ControlClient> {
  const client = controlClient(project);
  if (!(await client.alive()))
    throw new OrchError('NOT_RUNNING', `${project.name} is not running under orch`);
  return client;
}

/** The running stack's dashboard URL (with its token); `orch dashboard` prints it, `orch metrics` scrapes it. */
export async function runningDashboard(project: Project, why?: string): Promise<string> {
  const status = await (await runningStack(project)).call<{ dashboard?: string | null }>('GET', '/status');
  if (!status.dashboard)
    throw new OrchError('NOT_RUNNING', `${project.name} runs without a dashboard${why ? `, ${why}` : ''}`, {
      hint: 'it was started with --no-dashboard; run `orch up -d` again without it',
    });
  return status.dashboard;
}

/** Every running replica's CPU, memory and network, as fresh as the stack's sampler has them. */
export async function readStats(project: Project): Promise<ReplicaStats[]> {
  const res = await (await runningStack(project)).call<{ replicas: ReplicaStats[] }>('GET', '/stats');
  return res.replicas;
}

/** The stack's /metrics, read from its dashboard server as a scraper would. */
export async function readMetrics(project: Project): Promise<string> {
  const page = new URL(await runningDashboard(project, 'which serves /metrics'));
  const token = page.searchParams.get('token') ?? '';
  const res = await fetch(new URL('/metrics', page.origin), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new OrchError('INTERNAL', `the dashboard answered /metrics with ${res.status}: ${text}`);
  return text;
}
