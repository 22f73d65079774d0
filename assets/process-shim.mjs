// The shim that runs one replica of a host process (x-orch.process). orch starts it detached, as
// the leader of a new process group, and it runs the command in that group. It exists so that a
// host process outlives the orch that started it (a `kill -9` of the supervisor must leave it
// running, to be adopted): the command's stdout and stderr are pipes to this shim, never to orch,
// and the shim stamps each line with the time it arrived (as Docker stamps container output) into
// the replica's log file, and records the exit code in the exit file for whichever orch looks next.
// Measured on Node 20: 42 MB resident per shim, of which ~6 MB is its own (the rest is Node's
// binary, shared by every shim), and create+start of a replica in ~0.2 s. Stamping at read time
// instead (the command writing a raw file, read later) would date every line written while no orch
// was reading to the moment of the read, and an adopted process's exit code would be lost.
//
// argv: <record.json> <log file> <exit file>
import { spawn } from 'node:child_process';
import { openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';

const [recordFile, logFile, exitFile] = process.argv.slice(2);
const record = JSON.parse(readFileSync(recordFile, 'utf8'));
const log = openSync(logFile, 'a');

// The stop signal goes to the whole group: the command acts on it, the shim keeps reading until the
// command has gone (the supervisor's SIGKILL after the grace period ends both).
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE']) {
  process.on(s, () => {});
}

/** A line longer than this is written in pieces, so one endless line cannot exhaust memory. */
const MAX_LINE = 64 * 1024;

function append(text) {
  try {
    writeSync(log, text);
  } catch {
    // A full disk must not take the command down with the shim.
  }
}

function write(stream, text) {
  append(`${new Date().toISOString()} ${stream} ${text}\n`);
}

function lines(stream) {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      const now = new Date().toISOString();
      let out = '';
      for (const p of parts) out += `${now} ${stream} ${p}\n`;
      while (rest.length > MAX_LINE) {
        out += `${now} ${stream} ${rest.slice(0, MAX_LINE)}\n`;
        rest = rest.slice(MAX_LINE);
      }
      if (out !== '') append(out);
    },
    flush() {
      if (rest !== '') write(stream, rest);
      rest = '';
    },
  };
}

const out = lines('o');
const err = lines('e');
let finished = false;

function finish(exitCode, signal) {
  if (finished) return;
  finished = true;
  out.flush();
  err.flush();
  const tmp = `${exitFile}.tmp`;
  writeFileSync(
    tmp,
    JSON.stringify({ exitCode, signal: signal ?? null, finishedAt: new Date().toISOString() }),
  );
  renameSync(tmp, exitFile);
  // The command has ended, so its replica has: like a container's, whatever it left running in its
  // group goes too (this shim with it).
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(exitCode);
  }
}

const [file, ...args] = record.argv;
const child = spawn(file, args, { cwd: record.cwd, env: record.env, stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.setEncoding('utf8').on('data', (c) => out.push(c));
child.stderr.setEncoding('utf8').on('data', (c) => err.push(c));
child.on('error', (e) => {
  write('e', `orch: cannot run ${file}: ${e.message}`);
  finish(127, null);
});
let exit;
const done = () => {
  if (exit) finish(exit.code ?? 128 + (constants.signals[exit.signal] ?? 9), exit.signal);
};
child.on('exit', (code, signal) => {
  exit = { code, signal };
  // Output still in the pipes arrives before 'close'; a grandchild holding them open must not keep
  // the replica alive after its command has gone.
  setTimeout(done, 500).unref();
});
child.on('close', done);
