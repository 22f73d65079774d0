import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardServer } from '../../src/adapters/dashboard/index.js';
import { EventBus } from '../../src/core/events/bus.js';
import { serveDashboard } from '../../src/adapters/dashboard/index.js';
import type { DashboardAction, DashboardSource, ReplicaView } from '../../src/adapters/dashboard/index.js';
import type { LogRecord } from '../../src/core/logs/types.js';

const TOKEN = 'integration-token-0123456789';

function fakeSource(): DashboardSource & {
  acted: DashboardAction[];
  pushLogs(b: LogRecord[]): void;
  relay: EventBus;
} {
  const relay = new EventBus({ now: Date.now });
  const logListeners = new Set<(b: readonly LogRecord[]) => void>();
  const acted: DashboardAction[] = [];
  const rows: ReplicaView[] = [
    {
      service: 'api',
      replica: 1,
      container: 'p-api-1',
      id: 'c1',
      state: 'running',
      health: 'healthy',
      restarts: 0,
      endpoints: [],
      startedAt: null,
    },
  ];
  return {
    project: 'p',
    acted,
    relay,
    replicas: () => Promise.resolve(rows),
    graph: () => ({ services: [{ name: 'api', replicas: 1, dependsOn: [] }], timeline: [] }),
    gateway: () => null,
    events: relay,
    logs: {
      recent: () => [],
      subscribe(l) {
        logListeners.add(l);
        return () => void logListeners.delete(l);
      },
      trace: (id) =>
        Promise.resolve([
          {
            ts: '2026-01-01T00:00:00.000000000Z',
            service: 'api',
            replica: 1,
            stream: 'stdout',
            line: `a ${id}`,
          },
          {
            ts: '2026-01-01T00:00:00.012500000Z',
            service: 'gateway',
            replica: 1,
            stream: 'stdout',
            line: `b ${id}`,
          },
        ]),
    },
    act(a) {
      acted.push(a);
      return Promise.resolve();
    },
    metrics: () =>
      Promise.resolve({
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        text: '# TYPE orch_x counter\norch_x 1\n',
      }),
    pushLogs(b) {
      for (const l of logListeners) l(b);
    },
  };
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the dashboard server on loopback', () => {
  const source = fakeSource();
  const server = new DashboardServer(source, { port: 0, token: TOKEN });
  beforeAll(() => server.listen());
  afterAll(() => server.close());

  it('serves the page with the token, and refuses it without (401) or with a foreign Host (403)', async () => {
    const ok = await call(server.port, `/?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain(`/assets/app.js?token=${TOKEN}`);
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect((await call(server.port, '/')).status).toBe(401);
    expect((await call(server.port, '/api/status')).status).toBe(401);
    expect((await call(server.port, '/assets/app.js')).status).toBe(401);
    const rebound = await call(server.port, `/?token=${TOKEN}`, { headers: { host: 'attacker.example' } });
    expect(rebound.status).toBe(403);
  });

  it('serves /metrics with the token as ?token= or Authorization: Bearer, and 401 without', async () => {
    const viaQuery = await call(server.port, `/metrics?token=${TOKEN}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(viaQuery.body).toContain('orch_x 1');
    const viaBearer = await call(server.port, '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body).toBe(viaQuery.body);
    expect((await call(server.port, '/metrics')).status).toBe(401);
    const wrong = await call(server.port, '/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const basic = await call(server.port, '/metrics', { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
  });

  it('answers the JSON API', async () => {
    const status = JSON.parse((await call(server.port, `/api/status?token=${TOKEN}`)).body) as {
      project: string;
      replicas: ReplicaView[];
    };
    expect(status.project).toBe('p');
    expect(status.replicas.map((r) => r.container)).toEqual(['p-api-1']);
    expect((await call(server.port, `/api/gateway?token=${TOKEN}`)).status).toBe(404);
    const trace = JSON.parse((await call(server.port, `/api/trace/r-1?token=${TOKEN}`)).body) as {
      lines: { deltaMs: number | null }[];
    };
    expect(trace.lines.map((l) => l.deltaMs)).toEqual([null, 12.5]);
  });

  it('takes actions by same-origin POST with a JSON body only', async () => {
    const body = JSON.stringify({ service: 'api', replica: 1 });
    const json = { 'content-type': 'application/json' };
    expect((await call(server.port, `/api/actions/restart?token=${TOKEN}`)).status).toBe(405);
    const cross = await call(server.port, `/api/actions/restart?token=${TOKEN}`, {
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body,
    });
    expect(cross.status).toBe(403);
    const form = await call(server.port, `/api/actions/restart?token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'service=api',
    });
    expect(form.status).toBe(400);
    expect(source.acted).toEqual([]);
    const ok = await call(server.port, `/api/actions/restart?token=${TOKEN}`, {
      method: 'POST',
      headers: { ...json, origin: `http://127.0.0.1:${server.port}` },
      body,
    });
    expect(ok.status, ok.body).toBe(200);
    const scale = await call(server.port, '/api/actions/scale', {
      method: 'POST',
      headers: { ...json, 'x-orch-token': TOKEN },
      body: JSON.stringify({ service: 'api', count: 3 }),
    });
    expect(scale.status).toBe(200);
    expect(source.acted).toEqual([
      { kind: 'restart', service: 'api', replica: 1 },
      { kind: 'scale', service: 'api', count: 3 },
    ]);
  });

  it('streams status, events and logs as Server-Sent Events', async () => {
    const got: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: `/api/stream?token=${TOKEN}` },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          res.on('data', (c: Buffer) => {
            got.push(c.toString());
            const all = got.join('');
            if (all.includes('event: hello') && !all.includes('event: event')) {
              source.relay.publish({ type: 'healthy', service: 'api', replica: 1 });
              source.pushLogs([
                {
                  ts: '2026-01-01T00:00:01.000000000Z',
                  service: 'api',
                  replica: 1,
                  stream: 'stdout',
                  line: 'hi',
                },
              ]);
            }
            if (
              all.includes('event: event') &&
              all.includes('event: logs') &&
              all.includes('event: status')
            ) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', (e) => (got.join('').includes('event: logs') ? resolve() : reject(e)));
      req.end();
    });
    await done;
    const all = got.join('');
    expect(all).toContain('"type":"healthy"');
    expect(all).toContain('"line":"hi"');
  });
});

describe('serveDashboard', () => {
  it('keeps its port and token for the next supervisor', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'orch-dash-'));
    const first = await serveDashboard(fakeSource(), { stateDir });
    await first.close();
    const second = await serveDashboard(fakeSource(), { stateDir });
    try {
      expect(second.url).toBe(first.url);
      expect(second.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    } finally {
      await second.close();
    }
  });
});
