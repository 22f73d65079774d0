import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, forceClean, leftovers, projectDir, uniqueName } from './helpers.js';

/**
 * Ctrl-C at 20 moments of a foreground `up`: while the image builds, while containers are
 * created, while `api` waits for `db` to be healthy, and once everything runs. Every time: exit
 * 130 and nothing of the project left on the engine.
 *
 * Each moment is a phase's first progress line plus a delay drawn from a seeded generator (the
 * same 20 every run), not a time after spawn: how long a phase takes varies several-fold with the
 * machine's load, and a moment meant for "running" must not land in "creating" on a busy one.
 * Every phase is made to last: the build runs a step that cannot come from the cache (RUN_ID
 * changes each run) and takes a second, and `db` becomes healthy a second after it starts.
 */
const name = uniqueName('sigfuzz');
const yaml = `
name: ${name}
services:
  db:
    build:
      context: ./db
      args: { RUN_ID: "\${RUN_ID:-0}" }
    command: ["sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ok"]
      interval: 300ms
      retries: 3
  api:
    image: busybox:latest
    command: ["sh", "-c", "while true; do echo tick; sleep 0.3; done"]
    depends_on:
      db: { condition: service_healthy }
    deploy: { replicas: 2 }
  job:
    image: busybox:latest
    command: ["sh", "-c", "sleep 0.5; echo done"]
`;

/** Where a phase begins (a progress line of piped `up`) and how far into it Ctrl-C may come. */
const phases = [
  { name: 'building', begins: /db: image \S+ building/, withinMs: 800 },
  { name: 'creating', begins: /db: starting/, withinMs: 200 },
  { name: 'waiting for db healthy', begins: /db: started/, withinMs: 800 },
  { name: 'running', begins: /api: started/, withinMs: 1500 },
] as const;

interface Moment {
  readonly phase: (typeof phases)[number];
  readonly afterMs: number;
}

/** 20 moments, five per phase, each at a delay from a seeded LCG so a failing run repeats exactly. */
function moments(n: number, seed = 20261202): Moment[] {
  let x = seed;
  const out: Moment[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const phase = phases[i % phases.length] as (typeof phases)[number];
    out.push({ phase, afterMs: Math.round((x / 2 ** 31) * phase.withinMs) });
  }
  return out;
}

interface Outcome {
  code: number | null;
  stderr: string;
  /** The phase's line appeared (so the Ctrl-C came inside or after it, not before). */
  reached: boolean;
}

function interruptAt(dir: string, m: Moment, run: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, 'up', '--build', '--no-gateway'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', RUN_ID: `${process.pid}-${run}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let reached = false;
    const interrupt = () => child.kill('SIGINT');
    // A phase that never comes is a failure of its own; Ctrl-C anyway so the run ends.
    let timer = setTimeout(interrupt, 90_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (reached || !m.phase.begins.test(stderr)) return;
      reached = true;
      clearTimeout(timer);
      timer = setTimeout(interrupt, m.afterMs);
    });
    // A shell reports a process ended by SIGINT itself (before orch set its handler) as 130 too.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal === 'SIGINT' ? 130 : code, stderr, reached });
    });
  });
}

describe('Ctrl-C at 20 moments of a foreground up', () => {
  afterAll(() => forceClean(name));

  it('exits 130 and leaves nothing behind, whether building, creating, waiting for health or running', async () => {
    const dir = projectDir({ 'orch.yaml': yaml });
    mkdirSync(join(dir, 'db'));
    writeFileSync(
      join(dir, 'db', 'Dockerfile'),
      'FROM busybox:latest\nARG RUN_ID\nRUN echo "$RUN_ID" > /built && sleep 1\n',
    );
    const failures: string[] = [];
    let run = 0;
    for (const m of moments(20)) {
      const r = await interruptAt(dir, m, run++);
      const left = leftovers(name);
      const leftSomething = left.containers.length + left.networks.length + left.volumes.length > 0;
      const at = `Ctrl-C ${m.afterMs}ms into ${m.phase.name}`;
      if (!r.reached) failures.push(`${at}: that phase never began\n${r.stderr}`);
      else if (r.code !== 130 || leftSomething)
        failures.push(`${at}: exit ${r.code}, left ${JSON.stringify(left)}\n${r.stderr}`);
      if (leftSomething) forceClean(name);
    }
    expect(failures, failures.join('\n---\n')).toEqual([]);
  }, 900_000);
});
