// What the gateway benchmarks share: their settings, free ports, and forked helpers that say ready.
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k, d) => Number(process.env[k] ?? d);

/** `ROUNDS` defaults differ per benchmark: the caller gives its own. */
export const settings = (rounds) => ({
  DURATION: env('DURATION', 10),
  CONNECTIONS: env('CONNECTIONS', 50),
  THREADS: env('THREADS', 2),
  ROUNDS: env('ROUNDS', rounds),
  WARMUP: env('WARMUP', 3),
});

/** Every child started here, for the caller's clean-up. */
export const children = [];

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Forks a script of this folder and resolves once it sends its first message (ready). */
export function forkReady(script, args, extraEnv = {}, execArgv = process.execArgv) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, script), args.map(String), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...extraEnv },
      execArgv,
    });
    children.push(child);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
    child.once('message', () => resolve(child));
  });
}
