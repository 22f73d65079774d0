// orch dashboard: a small page over the dashboard's JSON/SSE API (see the README). Plain modern
// JavaScript, shipped as is: no build step, no framework, nothing loaded from elsewhere.

const token = new URLSearchParams(location.search).get('token') ?? '';
const view = document.getElementById('view');
const conn = document.getElementById('conn');

const state = {
  project: '',
  replicas: [],
  events: [],
  logs: [],
  gateway: null,
  graph: null,
  logFilter: { service: '', grep: '', paused: false },
  eventFilter: { type: '', service: '', text: '' },
  scaleDraft: new Map(),
  busy: new Set(),
};
const MAX_LOGS = 5000;
const MAX_EVENTS = 2000;
const MAX_LOG_ROWS = 1000;

// ---- API ----

async function api(path, opts = {}) {
  const res = await fetch(path, {
    ...opts,
    headers: { 'x-orch-token': token, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function action(kind, body) {
  return api(`/api/actions/${kind}`, { method: 'POST', body: JSON.stringify(body) });
}

function connect() {
  const es = new EventSource(`/api/stream?token=${encodeURIComponent(token)}`);
  es.addEventListener('hello', (m) => {
    conn.dataset.state = 'live';
    conn.textContent = 'live';
    state.project = JSON.parse(m.data).project;
    document.getElementById('project').textContent = state.project;
    // After a reconnect (a new supervisor), fill in what happened meanwhile.
    void loadEvents();
    void loadLogs();
  });
  es.addEventListener('status', (m) => {
    state.replicas = JSON.parse(m.data).replicas;
    if (page() === 'services') renderServices();
    if (page() === 'graph') renderGraph();
  });
  es.addEventListener('event', (m) => {
    state.events.push(JSON.parse(m.data));
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
    if (page() === 'events') scheduleRender();
    if (page() === 'graph') void loadGraph();
  });
  es.addEventListener('logs', (m) => {
    const batch = JSON.parse(m.data);
    state.logs.push(...batch);
    if (state.logs.length > MAX_LOGS) state.logs.splice(0, state.logs.length - MAX_LOGS);
    if (page() === 'logs') appendLogs(batch);
  });
  es.addEventListener('gateway', (m) => {
    state.gateway = JSON.parse(m.data);
    if (page() === 'gateway') renderGateway();
  });
  es.onerror = () => {
    conn.dataset.state = 'lost';
    conn.textContent = 'reconnecting…';
  };
}

async function loadEvents() {
  state.events = await api('/api/events').catch(() => state.events);
  if (page() === 'events') renderEvents();
}

async function loadLogs() {
  state.logs = await api(`/api/logs?limit=${MAX_LOGS}`).catch(() => state.logs);
  if (page() === 'logs') renderLogs();
}

async function loadGraph() {
  state.graph = await api('/api/graph').catch(() => state.graph);
  if (page() === 'graph') renderGraph();
}

// ---- helpers ----

function esc(s) {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function page() {
  return (location.hash.replace(/^#\/?/, '').split('/')[0] || 'services').toLowerCase();
}

function toast(text, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = bad ? 'toast bad' : 'toast';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 5000);
}

function duration(ms) {
  if (ms < 0 || !Number.isFinite(ms)) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function bytes(n) {
  if (n === undefined) return '';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function tone(stateText, health) {
  if (health === 'unhealthy' || /exited|dead|crash|gave up/.test(stateText)) return 'bad';
  if (health === 'starting' || /restarting|waiting|created/.test(stateText)) return 'warn';
  if (stateText === 'running' && (health === 'healthy' || health === 'none')) return 'ok';
  return '';
}

const ID_RE =
  /\b(request_id|requestId|x-request-id|trace_id|traceId)([=:]\s*"?)([A-Za-z0-9][\w.:/+-]{0,127})/g;

/** A log line as HTML with every request or trace id a link to the trace view. */
function linkIds(line) {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(ID_RE)) {
    const id = m[3];
    const start = m.index + m[1].length + m[2].length;
    out += esc(line.slice(last, start));
    out += `<a class="trace-link" href="#/trace/${encodeURIComponent(id)}">${esc(id)}</a>`;
    last = start + id.length;
  }
  return out + esc(line.slice(last));
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

// ---- Services ----

// A re-render between a button's press and release would swallow the click: wait for the release.
let pressing = false;
view.addEventListener('pointerdown', () => (pressing = true));
window.addEventListener('pointerup', () => setTimeout(() => (pressing = false), 0));

function renderServices() {
  if (pressing || view.querySelector('input.count:focus')) return; // nothing taken from under the cursor
  const now = Date.now();
  const byService = new Map();
  for (const r of state.replicas) {
    if (!byService.has(r.service)) byService.set(r.service, []);
    byService.get(r.service).push(r);
  }
  let rows = '';
  for (const [service, reps] of byService) {
    const draft = state.scaleDraft.get(service) ?? reps.length;
    rows += `<tr class="group" data-service="${esc(service)}"><td colspan="10">${esc(service)}
      <span class="dim">· ${reps.length} replica(s)</span></td>
      <td><input class="count" type="number" min="0" max="100" value="${esc(draft)}" data-scale="${esc(service)}">
      <button data-act="scale" data-service="${esc(service)}">scale</button></td></tr>`;
    for (const r of reps) {
      const key = `${r.service}-${r.replica}`;
      const busy = state.busy.has(key);
      const t = tone(r.state, r.health);
      const up = r.startedAt ? duration(now - Date.parse(r.startedAt)) : '';
      const probe = r.lastProbe
        ? `<span class="probe" title="${esc(r.lastProbe.output)}">${r.lastProbe.ok ? '✓' : '✗'} ${esc(r.lastProbe.output)}</span>`
        : '';
      const restarts =
        `${r.restarts}` +
        (r.backoffMs !== undefined
          ? ` <span class="pill warn">next in ${duration(r.backoffMs)}</span>`
          : '') +
        (r.lastReason ? `<span class="probe" title="${esc(r.lastReason)}">${esc(r.lastReason)}</span>` : '');
      const endpoints = r.endpoints
        .map(
          (u) =>
            `<a href="${esc(u)}" target="_blank" rel="noreferrer noopener">${esc(u.replace(/^http:\/\//, ''))}</a>`,
        )
        .join('<br>');
      rows += `<tr data-row="${esc(key)}" data-id="${esc(r.id)}" data-health="${esc(r.health)}" data-state="${esc(r.state)}">
        <td>${esc(r.service)}</td><td>${r.replica}</td>
        <td class="mono" title="${esc(r.id)}">${esc(r.container)}<br><span class="dim">${esc(r.id.slice(0, 12))}</span></td>
        <td><span class="pill ${t}">${esc(r.state)}</span></td>
        <td><span class="pill ${r.health === 'healthy' ? 'ok' : r.health === 'unhealthy' ? 'bad' : r.health === 'starting' ? 'warn' : ''}">${esc(r.health)}</span>${probe}</td>
        <td>${restarts}</td><td>${endpoints}</td><td>${up}</td>
        <td>${r.cpuPercent !== undefined ? `${r.cpuPercent}%` : ''}</td><td>${bytes(r.memoryBytes)}</td>
        <td><button data-act="restart" data-service="${esc(r.service)}" data-replica="${r.replica}" ${busy ? 'disabled' : ''}>restart</button>
          <button data-act="stop" data-service="${esc(r.service)}" data-replica="${r.replica}" ${busy || r.state !== 'running' ? 'disabled' : ''}>stop</button>
          <button data-act="start" data-service="${esc(r.service)}" data-replica="${r.replica}" ${busy || r.state === 'running' ? 'disabled' : ''}>start</button></td>
      </tr>`;
    }
  }
  view.innerHTML = `<table id="services"><thead><tr><th>service</th><th>#</th><th>container</th><th>state</th>
    <th>health (last probe)</th><th>restarts</th><th>endpoints</th><th>uptime</th><th>CPU</th><th>memory</th><th></th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

view.addEventListener('input', (e) => {
  const el = e.target;
  if (el.dataset?.scale) state.scaleDraft.set(el.dataset.scale, Number(el.value));
});

view.addEventListener('click', async (e) => {
  const btn = e.target.closest?.('button[data-act]');
  if (!btn) return;
  const { act, service } = btn.dataset;
  const replica = Number(btn.dataset.replica);
  const key = act === 'scale' ? service : `${service}-${replica}`;
  state.busy.add(key);
  btn.disabled = true;
  try {
    if (act === 'scale') {
      const input = view.querySelector(`input[data-scale="${CSS.escape(service)}"]`);
      const count = Number(input?.value);
      await action('scale', { service, count });
      state.scaleDraft.delete(service);
      toast(`${service} scaled to ${count}`);
    } else {
      toast(`${act} ${service}-${replica}…`);
      const res = await action(act, { service, replica });
      state.replicas = res.replicas;
      toast(`${act} ${service}-${replica}: done`);
    }
  } catch (err) {
    toast(`${act} ${service}: ${err.message}`, true);
  } finally {
    state.busy.delete(key);
    if (page() === 'services') renderServices();
  }
});

// ---- Graph ----

function serviceTone(name) {
  const reps = state.replicas.filter((r) => r.service === name);
  if (reps.length === 0) return 'var(--off)';
  const tones = reps.map((r) => tone(r.state, r.health));
  if (tones.includes('bad')) return 'var(--bad)';
  if (tones.includes('warn') || tones.includes('')) return 'var(--warn)';
  return 'var(--ok)';
}

function renderGraph() {
  const g = state.graph;
  if (!g) {
    view.innerHTML = '<p class="dim">loading…</p>';
    return;
  }
  const deps = new Map(g.services.map((s) => [s.name, s.dependsOn.map((d) => d.service)]));
  const depth = new Map();
  const depthOf = (n, seen = new Set()) => {
    if (depth.has(n)) return depth.get(n);
    if (seen.has(n)) return 0;
    seen.add(n);
    const d =
      Math.max(-1, ...(deps.get(n) ?? []).filter((x) => deps.has(x)).map((x) => depthOf(x, seen))) + 1;
    depth.set(n, d);
    return d;
  };
  g.services.forEach((s) => depthOf(s.name));
  const columns = [];
  for (const s of g.services) (columns[depth.get(s.name)] ??= []).push(s.name);
  const W = 170;
  const H = 34;
  const GX = 70;
  const GY = 16;
  const pos = new Map();
  columns.forEach((col, x) =>
    col.sort().forEach((n, y) => pos.set(n, { x: 16 + x * (W + GX), y: 16 + y * (H + GY) })),
  );
  const width = 32 + columns.length * (W + GX);
  const height = 32 + Math.max(...columns.map((c) => c.length)) * (H + GY);
  let edges = '';
  for (const s of g.services)
    for (const d of s.dependsOn) {
      const a = pos.get(d.service);
      const b = pos.get(s.name);
      if (!a || !b) continue;
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x;
      const y2 = b.y + H / 2;
      edges += `<path class="edge" d="M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}" marker-end="url(#arrow)"><title>${esc(s.name)} needs ${esc(d.service)} (${esc(d.condition)})</title></path>`;
    }
  let nodes = '';
  for (const s of g.services) {
    const p = pos.get(s.name);
    nodes += `<g class="node" data-node="${esc(s.name)}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" fill="${serviceTone(s.name)}"></rect>
      <text x="${p.x + 10}" y="${p.y + 21}">${esc(s.name)} ×${s.replicas}</text></g>`;
  }
  view.innerHTML = `<h2>Dependencies <span class="dim">(coloured by state: green healthy, yellow starting, red failing)</span></h2>
    <div class="svg-wrap"><svg width="${width}" height="${height}" id="graph">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8a96a3"></path></marker></defs>
      ${edges}${nodes}</svg></div>
    <h2>Start-up timeline <span class="dim">(grey: created → started, yellow: started → healthy; the critical chain in orange)</span></h2>
    <div class="svg-wrap">${timelineSvg(g, deps)}</div>`;
}

function timelineSvg(g, deps) {
  const t = new Map(g.timeline.map((e) => [e.service, e]));
  const ready = (n) => t.get(n)?.healthyAt ?? t.get(n)?.startedAt;
  const times = g.timeline
    .flatMap((e) => [e.createdAt, e.startedAt, e.healthyAt])
    .filter((x) => x !== undefined);
  if (times.length === 0) return '<p class="dim">no start-up times known</p>';
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const span = Math.max(1, t1 - t0);
  // The critical chain: from the service ready last, back through the dependency ready last.
  const critical = new Set(g.critical ?? []);
  let cur = g.critical ? undefined : [...t.keys()].sort((a, b) => (ready(b) ?? 0) - (ready(a) ?? 0))[0];
  while (cur && !critical.has(cur)) {
    critical.add(cur);
    cur = (deps.get(cur) ?? []).filter((d) => ready(d) !== undefined).sort((a, b) => ready(b) - ready(a))[0];
  }
  const L = 180;
  const W = 640;
  const rows = [...g.timeline].sort(
    (a, b) => (a.createdAt ?? a.startedAt ?? 0) - (b.createdAt ?? b.startedAt ?? 0),
  );
  const x = (ms) => L + ((ms - t0) / span) * W;
  let out = '';
  rows.forEach((e, i) => {
    const y = 12 + i * 22;
    const c = e.createdAt ?? e.startedAt;
    out += `<g class="${critical.has(e.service) ? 'critical' : ''}" data-timeline="${esc(e.service)}"><text class="label" x="8" y="${y + 12}">${esc(e.service)}</text>`;
    if (c !== undefined && e.startedAt !== undefined)
      out += `<rect class="bar-created" x="${x(c)}" y="${y}" width="${Math.max(2, x(e.startedAt) - x(c))}" height="14"></rect>`;
    if (e.startedAt !== undefined && e.healthyAt !== undefined)
      out += `<rect class="bar-started" x="${x(e.startedAt)}" y="${y}" width="${Math.max(2, x(e.healthyAt) - x(e.startedAt))}" height="14"></rect>`;
    const end = e.healthyAt ?? e.startedAt;
    if (end !== undefined)
      out += `<text class="label" x="${x(end) + 6}" y="${y + 12}">${((end - t0) / 1000).toFixed(2)}s</text>`;
    out += '</g>';
  });
  return `<svg width="${L + W + 80}" height="${24 + rows.length * 22}" id="timeline">${out}</svg>`;
}

// ---- Logs ----

function logMatches(r) {
  const f = state.logFilter;
  if (f.service && r.service !== f.service) return false;
  if (f.grepRe && !f.grepRe.test(r.line)) return false;
  return true;
}

function logRow(r) {
  const time = r.ts.slice(11, 23);
  return `<div class="logline ${r.stream === 'stderr' ? 'stderr' : ''}" data-service="${esc(r.service)}"><span class="ts">${time}</span> <span class="src" style="color:${colour(r.service)}">${esc(r.service)}-${r.replica}</span> <span class="text">${linkIds(r.line)}</span></div>`;
}

const palette = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#39c5cf', '#ff7b72', '#e3b341', '#79c0ff'];
function colour(service) {
  if (service === 'gateway') return '#c9d1d9';
  let h = 0;
  for (const c of service) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return palette[h % palette.length];
}

function renderLogs() {
  const f = state.logFilter;
  const services = [
    ...new Set([...state.replicas.map((r) => r.service), 'gateway', ...state.logs.map((r) => r.service)]),
  ].sort();
  view.innerHTML = `<div class="toolbar">
      <select id="log-service"><option value="">all services</option>${services.map((s) => `<option ${s === f.service ? 'selected' : ''}>${esc(s)}</option>`).join('')}</select>
      <input id="log-grep" type="text" placeholder="regex filter" value="${esc(f.grep)}">
      <label><input id="log-pause" type="checkbox" ${f.paused ? 'checked' : ''}> pause</label>
      <span id="log-count" class="dim"></span>
    </div><div id="logs" class="logs"></div>`;
  document.getElementById('log-service').onchange = (e) => {
    f.service = e.target.value;
    fillLogs();
  };
  document.getElementById('log-grep').oninput = (e) => {
    f.grep = e.target.value;
    try {
      f.grepRe = f.grep ? new RegExp(f.grep) : undefined;
      e.target.style.borderColor = '';
    } catch {
      e.target.style.borderColor = 'var(--bad)';
      return;
    }
    fillLogs();
  };
  document.getElementById('log-pause').onchange = (e) => {
    f.paused = e.target.checked;
    if (!f.paused) fillLogs();
  };
  fillLogs();
}

function fillLogs() {
  const box = document.getElementById('logs');
  if (!box) return;
  const kept = state.logs.filter(logMatches).slice(-MAX_LOG_ROWS);
  box.innerHTML = kept.map(logRow).join('');
  box.scrollTop = box.scrollHeight;
  document.getElementById('log-count').textContent = `${kept.length} line(s) shown`;
}

let logQueue = [];
function appendLogs(batch) {
  if (state.logFilter.paused) return;
  logQueue.push(...batch.filter(logMatches));
  if (logQueue.length > MAX_LOG_ROWS) logQueue = logQueue.slice(-MAX_LOG_ROWS);
  if (appendLogs.pending) return;
  appendLogs.pending = true;
  // One DOM update per frame whatever the line rate: 2,000 lines/s is ~35 lines a frame.
  requestAnimationFrame(() => {
    appendLogs.pending = false;
    const box = document.getElementById('logs');
    const lines = logQueue;
    logQueue = [];
    if (!box || lines.length === 0) return;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.insertAdjacentHTML('beforeend', lines.map(logRow).join(''));
    let extra = box.childElementCount - MAX_LOG_ROWS;
    while (extra-- > 0) box.firstElementChild.remove();
    if (atBottom) box.scrollTop = box.scrollHeight;
    document.getElementById('log-count').textContent = `${box.childElementCount} line(s) shown`;
  });
}

// ---- Trace ----

async function renderTrace(id) {
  view.innerHTML = `<h2>Request <span class="mono">${esc(id)}</span></h2><p class="dim">loading…</p>`;
  let res;
  try {
    res = await api(`/api/trace/${encodeURIComponent(id)}`);
  } catch (err) {
    view.innerHTML = `<p class="dim">${esc(err.message)}</p>`;
    return;
  }
  const services = [...new Set(res.lines.map((l) => l.service))];
  const first = res.lines[0];
  const total =
    res.lines.length > 1
      ? res.lines.reduce((a, l) => a + (l.deltaMs ?? 0), 0).toFixed(1) + ' ms from first to last line'
      : '';
  view.innerHTML = `<h2>Request <span class="mono">${esc(id)}</span></h2>
    <p class="dim">${res.lines.length} line(s) from ${services.length} source(s): ${services.map(esc).join(', ')} ${total ? '· ' + total : ''}</p>
    <table id="trace"><thead><tr><th>time</th><th>+ms</th><th>source</th><th>line</th></tr></thead><tbody>
    ${res.lines
      .map(
        (l) => `<tr data-service="${esc(l.service)}"><td class="mono">${esc(l.ts.slice(11, 26))}</td>
        <td class="delta mono">${l.deltaMs === null ? '' : '+' + l.deltaMs.toFixed(1)}</td>
        <td style="color:${colour(l.service)}">${esc(l.service)}-${l.replica}</td><td class="mono">${linkIds(l.line)}</td></tr>`,
      )
      .join('')}</tbody></table>${first ? '' : '<p class="dim">no stored line carries this id</p>'}
    <p><a href="#/logs">← back to the logs</a></p>`;
}

// ---- Gateway ----

/** A replica's state in its route: its circuit breaker first, then passive ejection, then health. */
function replicaPill(p) {
  if (p.breaker === 'open') return '<span class="pill bad">breaker open</span>';
  if (p.breaker === 'half-open') return '<span class="pill warn">breaker half-open</span>';
  if (p.ejected) return '<span class="pill bad">ejected</span>';
  return p.healthy ? '<span class="pill ok">in rotation</span>' : '<span class="pill warn">out</span>';
}

function renderGateway() {
  const g = state.gateway;
  if (!g) {
    view.innerHTML = '<p class="dim">this project has no gateway (x-orch.gateway), or it is turned off</p>';
    return;
  }
  let rows = '';
  for (const r of g.stats.routes) {
    const targets = r.services
      ? r.services.map((s) => `${esc(s.service)} ${s.weight}`).join(', ')
      : esc(r.service);
    const retries = r.retries ? `${r.retries} retries` : '';
    rows += `<tr class="group"><td>${esc(r.route)}</td><td>→ ${targets} <span class="dim">(${esc(r.balance)})</span></td>
      <td>${r.requests}</td><td>${r.errors}</td><td>${r.inFlight}</td><td>${r.p50Ms}</td><td>${r.p99Ms}</td><td class="dim">${retries}</td></tr>`;
    for (const p of r.replicas)
      rows += `<tr data-replica="${esc(p.replica)}" data-breaker="${esc(p.breaker || 'closed')}"><td class="mono dim">${esc(p.address)}</td><td>${esc(p.replica)}</td>
        <td>${p.requests}</td><td>${p.errors}</td><td>${p.inFlight}</td><td>${p.p50Ms}</td><td>${p.p99Ms}</td>
        <td>${replicaPill(p)}</td></tr>`;
  }
  const url = `http://${g.address.host}:${g.address.port}/`;
  view.innerHTML = `<h2>Gateway <a href="${esc(url)}" target="_blank" rel="noreferrer noopener">${esc(url)}</a></h2>
    <table id="gateway"><thead><tr><th>route</th><th>replica</th><th>requests</th><th>errors</th><th>in flight</th><th>p50 ms</th><th>p99 ms</th><th></th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

// ---- Events ----

function renderEvents() {
  const f = state.eventFilter;
  const types = [...new Set(state.events.map((e) => e.type))].sort();
  const services = [...new Set(state.events.map((e) => e.service).filter(Boolean))].sort();
  if (!view.querySelector('#events-list')) {
    view.innerHTML = `<div class="toolbar">
      <select id="ev-type"></select><select id="ev-service"></select>
      <input id="ev-text" type="text" placeholder="text filter" value="${esc(f.text)}">
      <span id="ev-count" class="dim"></span></div>
      <table><thead><tr><th>time</th><th>type</th><th>service</th><th>details</th></tr></thead><tbody id="events-list"></tbody></table>`;
    document.getElementById('ev-type').onchange = (e) => ((f.type = e.target.value), renderEvents());
    document.getElementById('ev-service').onchange = (e) => ((f.service = e.target.value), renderEvents());
    document.getElementById('ev-text').oninput = (e) => ((f.text = e.target.value), renderEvents());
  }
  const opts = (all, cur, label) =>
    `<option value="">${label}</option>` +
    all.map((x) => `<option ${x === cur ? 'selected' : ''}>${esc(x)}</option>`).join('');
  document.getElementById('ev-type').innerHTML = opts(types, f.type, 'all types');
  document.getElementById('ev-service').innerHTML = opts(services, f.service, 'all services');
  const shown = state.events
    .filter((e) => (!f.type || e.type === f.type) && (!f.service || e.service === f.service))
    .map((e) => {
      const { time, type, service, replica, ...rest } = e;
      return { time, type, service, replica, detail: JSON.stringify(rest) };
    })
    .filter((e) => !f.text || `${e.type} ${e.service ?? ''} ${e.detail}`.includes(f.text))
    .reverse()
    .slice(0, 500);
  document.getElementById('events-list').innerHTML = shown
    .map(
      (
        e,
      ) => `<tr data-type="${esc(e.type)}"><td class="mono">${esc(e.time.replace('T', ' ').slice(0, 23))}</td>
      <td><span class="pill">${esc(e.type)}</span></td><td>${e.service ? esc(e.service) + (e.replica ? '-' + e.replica : '') : ''}</td>
      <td class="mono dim">${esc(e.detail === '{}' ? '' : e.detail)}</td></tr>`,
    )
    .join('');
  document.getElementById('ev-count').textContent = `${shown.length} of ${state.events.length} event(s)`;
}

// ---- routing ----

function render() {
  const p = page();
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === p);
  switch (p) {
    case 'graph':
      renderGraph();
      void loadGraph();
      break;
    case 'logs':
      if (!view.querySelector('#logs')) renderLogs();
      break;
    case 'trace':
      void renderTrace(decodeURIComponent(location.hash.split('/').slice(2).join('/')));
      break;
    case 'gateway':
      renderGateway();
      break;
    case 'events':
      renderEvents();
      break;
    default:
      renderServices();
  }
}

window.addEventListener('hashchange', () => {
  view.innerHTML = '';
  render();
});

async function boot() {
  try {
    const status = await api('/api/status');
    state.project = status.project;
    state.replicas = status.replicas;
    document.getElementById('project').textContent = state.project;
  } catch (err) {
    view.innerHTML = `<p class="dim">${esc(err.message)}</p>`;
  }
  render();
  connect();
  setInterval(() => page() === 'services' && renderServices(), 1000); // uptime and backoff count on
}

void boot();
