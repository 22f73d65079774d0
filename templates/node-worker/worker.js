// {{name}}: a background worker. It has no port, so orch knows it is ready from its log line
// (`x-orch.probe.log: "{{name}} ready"` in the project file).
'use strict';

const service = '{{name}}';
const intervalMs = Number(process.env.INTERVAL_MS || {{interval_ms}});
let stopping = false;
let running = Promise.resolve();
let runs = 0;

function log(fields) {
  console.log(JSON.stringify({ ts: new Date().toISOString(), service, ...fields }));
}

// Replace with the real work. It must finish (or notice `stopping`) within the stop grace period.
async function job() {
  runs += 1;
  log({ msg: 'job done', run: runs });
}

function tick() {
  if (stopping) return;
  running = job()
    .catch((err) => log({ msg: 'job failed', error: String(err && err.stack ? err.stack : err) }))
    .finally(() => {
      if (!stopping) timer = setTimeout(tick, intervalMs);
    });
}

let timer = setTimeout(tick, 0);
console.log(`${service} ready`);

// Graceful stop: no new runs, let the current one finish, then exit.
process.on('SIGTERM', () => {
  stopping = true;
  clearTimeout(timer);
  log({ msg: 'SIGTERM: finishing the current job' });
  running.finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 8000).unref();
});
