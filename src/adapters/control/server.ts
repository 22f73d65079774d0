import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isOrchError } from '../../errors/index.js';
import type { EventSource } from '../../core/events/bus.js';

/** A request handler of the control API: JSON in, JSON out. */
export type ControlHandler = (body: unknown) => Promise<unknown>;

export interface ControlRoutes {
  readonly [route: string]: ControlHandler;
}

/**
 * The supervisor's small local API (status, events, restart, scale, shutdown) over a Unix socket,
 * so only this user on this machine can reach it. Routes are `METHOD /path`; `GET /events` streams
 * the running stack's events as JSON lines (`?since=EPOCH_MS` replays the kept ones first).
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly path: string,
    /** The stack's events; none while a supervisor only waits to take a project over. */
    private readonly events: EventSource | undefined,
    private readonly routes: ControlRoutes,
  ) {}

  async listen(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    // A socket left by a supervisor that was killed (-9) would make listen fail.
    await unlink(this.path).catch(() => undefined);
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.path).catch(() => undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (route === 'GET /events') return this.stream(url, req, res);
    const handler = this.routes[route];
    if (!handler) return send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${route}` } });
    try {
      const body = await readJson(req);
      send(res, 200, (await handler(body)) ?? {});
    } catch (e) {
      if (isOrchError(e)) send(res, 400, { error: { code: e.code, message: e.message, hint: e.hint } });
      else
        send(res, 500, { error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } });
    }
  }
  private stream(url: URL, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // Headers now: a client with nothing to replay still learns at once that it is connected.
    res.flushHeaders();
    const events = this.events;
    if (!events) return void res.end();
    const sinceText = url.searchParams.get('since');
    const since = sinceText === null ? undefined : Number(sinceText);
    this.streams.add(res);
    if (since !== undefined && Number.isFinite(since))
      for (const e of events.history(since)) res.write(`${JSON.stringify(e)}\n`);
    const off = events.subscribe((e) => void res.write(`${JSON.stringify(e)}\n`));
    req.on('close', () => {
      off();
      this.streams.delete(res);
    });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}
