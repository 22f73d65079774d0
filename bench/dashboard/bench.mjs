// See run.sh. Prints one line per phase and the difference; leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const SERVICES = Number(process.env.SERVICES ?? 50);
const RATE = Number(process.env.RATE ?? 2000);
const PHASE_S = Number(process.env.SECONDS_PER_PHASE ?? 20);
const STORED = 100_000;
const name = `benchdash${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'orch-bench-dash-'));

// Lines per loop: one loop (sleep 0.1, seq, echo) takes ~150 ms in busybox; the rate actually stored
// is measured and printed.
const perService = Math.max(1, Math.round((RATE / SERVICES) * 0.15));
let yaml = `name: ${name}\nservices:\n`;
for (let i = 0; i < SERVICES; i++)
  yaml += `  s${i}:
    image: busybox
    command: ["sh", "-c", "i=0; while :; do for k in $(seq ${perService}); do i=$((i+1)); echo \\"s${i} line $$i request_id=s${i}-$$i\\"; done; sleep 0.1; done"]
    stop_grace_period: 1s
`;
writeFileSync(join(dir, 'orch.yaml'), yaml);
// The store starts with 100,000 lines, as after a long session.
const store = join(dir, '.orch', 'logs', name);
mkdirSync(store, { recursive: true });
const lines = [];
for (let i = 0; i < STORED; i++)
  lines.push(
    JSON.stringify({
      ts: `${new Date(Date.now() - (STORED - i) * 10).toISOString().slice(0, 23)}000000Z`,
      service: `s${i % SERVICES}`,
      replica: 1,
      stream: 'stdout',
      line: `old line ${i} request_id=old-${i}`,
    }),
  );
writeFileSync(join(store, 'current.jsonl'), `${lines.join('\n')}\n`);

const orch = (...args) =>
  spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
function sample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / TICK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return { cpu, rss };
}
function storedLines() {
  let n = 0;
  for (const f of readdirSync(store).filter((x) => x.endsWith('.jsonl'))) {
    const b = readFileSync(join(store, f));
    for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  }
  return n;
}
async function measure(pid, seconds) {
  const lines0 = storedLines();
  const a = sample(pid);
  const t0 = Date.now();
  let maxRss = a.rss;
  while (Date.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 500));
    maxRss = Math.max(maxRss, sample(pid).rss);
  }
  const b = sample(pid);
  const s = (Date.now() - t0) / 1000;
  return {
    cpuPct: ((b.cpu - a.cpu) / s) * 100,
    rssMiB: maxRss / 1024 / 1024,
    rate: (storedLines() - lines0) / s,
  };
}

let ctx;
try {
  const up = orch('up', '-d', '--wait', '--timeout', '300', '--no-gateway');
  if (up.status !== 0) throw new Error(`up failed:\n${up.stderr}`);
  const url = /dashboard: (\S+)/.exec(up.stderr)?.[1];
  if (!url) throw new Error(`no dashboard URL:\n${up.stderr}`);
  const pid = Number(readFileSync(join(dir, '.orch', name, 'supervisor.pid'), 'utf8'));
  await new Promise((r) => setTimeout(r, 3000)); // settle
  const closed = await measure(pid, PHASE_S);
  ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'orch-chromium-')), {
    executablePath: process.env.ORCH_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  // The services page: from the start of navigation to every service's row on screen.
  await page.goto(url);
  await page.waitForFunction(
    (n) => globalThis.document.querySelectorAll('tr[data-row]').length >= n,
    SERVICES,
  );
  const renderMs = await page.evaluate(() => performance.now());
  await page.goto(`${url}#/logs`);
  await page.waitForSelector('#logs .logline');
  const open = await measure(pid, PHASE_S);
  const shown = await page.locator('#logs .logline').count();
  console.log(`services ${SERVICES}, ~${RATE} lines/s, ${STORED} stored lines, ${PHASE_S}s per phase`);
  console.log(`services page: ${SERVICES} rows rendered in ${renderMs.toFixed(0)} ms (goal: under 1 s)`);
  console.log(
    `supervisor, dashboard closed: CPU ${closed.cpuPct.toFixed(1)}%  RSS ${closed.rssMiB.toFixed(0)} MiB  (${closed.rate.toFixed(0)} lines/s stored)`,
  );
  console.log(
    `supervisor, Logs page open:    CPU ${open.cpuPct.toFixed(1)}%  RSS ${open.rssMiB.toFixed(0)} MiB  (${open.rate.toFixed(0)} lines/s stored, ${shown} lines on the page)`,
  );
  console.log(
    `added by the open page: CPU +${(open.cpuPct - closed.cpuPct).toFixed(1)} points (${(open.cpuPct / Math.max(0.1, closed.cpuPct)).toFixed(2)}x), RSS +${(open.rssMiB - closed.rssMiB).toFixed(0)} MiB`,
  );
} finally {
  await ctx?.close();
  orch('down', '-t', '0', '-v');
}
