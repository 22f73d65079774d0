// Shared by the start-up benches: run a file with orch or docker-compose, read the engine's facts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const orchBin = join(repo, 'bin/run.js');

export const sh = (cmd, args) =>
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

export function up(tool, file, project) {
  const r =
    tool === 'orch'
      ? sh(process.execPath, [orchBin, 'up', '-d', '--wait', '--timeout', '120', '-f', file, '-p', project])
      : sh('docker-compose', ['-f', file, '-p', project, 'up', '-d']);
  if (r.status !== 0) throw new Error(`${tool} up failed: ${r.stderr}`);
}

export function down(tool, file, project) {
  if (tool === 'orch') sh(process.execPath, [orchBin, 'down', '-t', '0', '-f', file, '-p', project]);
  else sh('docker-compose', ['-f', file, '-p', project, 'down', '-t', '0']);
}

export function containers(tool, project) {
  const label = tool === 'orch' ? `dev.orch.project=${project}` : `com.docker.compose.project=${project}`;
  const ids = sh('docker', ['ps', '-aq', '--filter', `label=${label}`])
    .stdout.split('\n')
    .filter(Boolean);
  return ids.length === 0 ? [] : JSON.parse(sh('docker', ['inspect', ...ids]).stdout);
}

export const serviceOf = (c) =>
  c.Config.Labels['dev.orch.service'] ?? c.Config.Labels['com.docker.compose.service'];

/** Polls the engine until `count` containers report Docker health `healthy`; ms since t0. */
export async function dockerAllHealthy(tool, project, count, t0) {
  for (;;) {
    const cs = containers(tool, project);
    if (cs.length === count && cs.every((c) => c.State.Health?.Status === 'healthy')) return Date.now() - t0;
    if (Date.now() - t0 > 180_000) throw new Error(`${tool}: not healthy after 180 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Per service: when the engine started it, and when it logged READY (engine timestamps, ms). */
export function readiness(cs) {
  const out = {};
  for (const c of cs) {
    const log = sh('docker', ['logs', '-t', c.Id]).stdout;
    const line = log.split('\n').find((l) => l.endsWith(' READY'));
    out[serviceOf(c)] = {
      started: Date.parse(c.State.StartedAt),
      ready: line ? Date.parse(line.split(' ')[0]) : Number.NaN,
    };
  }
  return out;
}

/** Sum, along the slowest chain, of each service's own start→READY time. */
export function criticalPathMs(times, deps) {
  const memo = {};
  const longest = (s) =>
    (memo[s] ??= times[s].ready - times[s].started + Math.max(0, ...(deps[s] ?? []).map(longest)));
  return Math.max(...Object.keys(times).map(longest));
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const range = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
