import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, forceClean, leftovers, projectDir, uniqueName } from './helpers.js';

/**
 * Ctrl-C at many moments of a foreground `up`: while the image builds, while containers are
 * created, while `api` waits for `db` to be healthy, and once everything runs. Every time: exit
 * 130 and nothing of the project left on the engine.
 */
const name = uniqueName('sigfuzz');
const yaml = `
name: ${name}
services:
  db:
    build: ./db
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

/** Deterministic delays (a seeded LCG) so a failing run can be repeated: 0–6 s, spread evenly. */
function delays(n: number, seed = 20261202): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    // One slot of 300 ms each, jittered inside it: early, middle and late moments all occur.
    out.push(Math.round(i * 300 + (x / 2 ** 31) * 300));
  }
  return out;
}

function interruptAt(dir: string, ms: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, 'up', '--build', '--no-gateway'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), ms);
    // A shell reports a process ended by SIGINT itself (before orch set its handler) as 130 too.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal === 'SIGINT' ? 130 : code, stderr });
    });
  });
}

describe('Ctrl-C at random moments of a foreground up', () => {
  afterAll(() => forceClean(name));

  it('exits 130 and leaves nothing behind, 20 times over', async () => {
    const dir = projectDir({ 'orch.yaml': yaml });
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'db', 'Dockerfile'), 'FROM busybox:latest\nRUN echo built > /built\n');
    const failures: string[] = [];
    for (const ms of delays(20)) {
      const r = await interruptAt(dir, ms);
      const left = leftovers(name);
      const leftSomething = left.containers.length + left.networks.length + left.volumes.length > 0;
      if (r.code !== 130 || leftSomething)
        failures.push(`Ctrl-C at ${ms}ms: exit ${r.code}, left ${JSON.stringify(left)}\n${r.stderr}`);
      if (leftSomething) forceClean(name);
    }
    expect(failures, failures.join('\n---\n')).toEqual([]);
  }, 600_000);
});
