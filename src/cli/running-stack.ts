import type { Project } from '../model/project.js';
import type { StatsRow } from '../ui/stats-view.js';
import { OrchError } from '../errors/index.js';
import type { ControlClient } from '../adapters/control/client.js';
import { controlClient } from './supervisor-process.js';

/** The control socket of the project's running stack (foreground `up` or background supervisor). */
export async function runningStack(project: Project): Promise<ControlClient> {
  const client = controlClient(project);
  if (!(await client.alive()))
    throw new OrchError('NOT_RUNNING', `${project.name} is not running under orch`);
  return client;
}

/** Every running replica's CPU, memory and network, as fresh as the stack's sampler has them. */
export async function readStats(project: Project): Promise<StatsRow[]> {
  const res = await (await runningStack(project)).call<{ replicas: StatsRow[] }>('GET', '/stats');
  return res.replicas;
}

/**
 * The stack's /metrics, read from its dashboard server as a scraper would: the URL and token
 * come from the stack itself, the way `orch dashboard` finds them.
 */
export async function readMetrics(project: Project): Promise<string> {
  const client = await runningStack(project);
  const status = await client.call<{ dashboard?: string | null }>('GET', '/status');
  if (!status.dashboard)
    throw new OrchError('NOT_RUNNING', `${project.name} runs without a dashboard, which serves /metrics`, {
      hint: 'it was started with --no-dashboard; run `orch up -d` again without it',
    });
  const page = new URL(status.dashboard);
  const token = page.searchParams.get('token') ?? '';
  const res = await fetch(new URL('/metrics', page.origin), {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new OrchError('INTERNAL', `the dashboard answered /metrics with ${res.status}: ${text}`);
  return text;
}
