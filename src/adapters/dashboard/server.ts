import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkRequest } from './guard.js';
import { apiRoute, type ApiReply } from './api.js';
import { StreamHub } from './stream.js';
import type { DashboardSource } from './source.js';

/** The page's files, shipped prebuilt in the package (no build step on the user's machine). */
const ASSET_DIR = fileURLToPath(new URL('../../../assets/dashboard/', import.meta.url));
const ASSETS: Readonly<Record<string, string>> = {
  '/assets/app.js': 'text/javascript; charset=utf-8',
  '/assets/app.css': 'text/css; charset=utf-8',
};

export interface DashboardServerOptions {
  readonly host?: string;
  /** 0: any free port. */
  readonly port: number;
  readonly token: string;
}

/**
 * The dashboard: a page and the JSON/SSE API it uses, on 127.0.0.1 only. Every request passes
 * `checkRequest` (Host, token, POST-only same-origin actions) before anything else is read.
 */
export class DashboardServer {
  private server: Server | undefined;
  private boundPort = 0;
  private readonly hub: StreamHub;
  private readonly files = new Map<string, string>();

  constructor(
    private readonly source: DashboardSource,
    private readonly opts: DashboardServerOptions,
  ) {
    this.hub = new StreamHub(source);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}/?token=${this.opts.token}`;
  }

  async listen(): Promise<void> {
    for (const name of ['index.html', 'app.js', 'app.css'])
      this.files.set(name, await readFile(join(ASSET_DIR, name), 'utf8'));
    const server = createServer((req, res) => void this.handle(req, res));
    // SSE streams are long-lived; the default request timeout would cut them.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    this.server = server;
  }

  async close(): Promise<void> {
    this.hub.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return reply(res, { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'bad URL' } } });
    }
    const verdict = checkRequest(
      {
        method: req.method ?? 'GET',
        url,
        host: req.headers.host,
        origin: header(req, 'origin'),
        tokenHeader: header(req, 'x-orch-token') ?? bearer(header(req, 'authorization')),
        fetchSite: header(req, 'sec-fetch-site'),
      },
      this.opts.token,
      this.boundPort,
    );
    if (!verdict.ok)
      return reply(res, {
        status: verdict.status,
        body: {
          error: { code: verdict.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: verdict.reason },
        },
      });
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html'))
      return this.page(res, 'index.html', 'text/html; charset=utf-8');
    const asset = ASSETS[path];
    if (req.method === 'GET' && asset) return this.page(res, path.slice('/assets/'.length), asset);
    if (req.method === 'GET' && path === '/api/stream') return this.hub.attach(url, req, res);
    if (req.method === 'GET' && path === '/metrics' && this.source.metrics) return this.metrics(res);
    try {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      return reply(res, await apiRoute(this.source, req.method ?? 'GET', url, body));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return reply(res, { status: 400, body: { error: { code: 'BAD_REQUEST', message } } });
    }
  }

  private async metrics(res: ServerResponse): Promise<void> {
    if (!this.source.metrics) return;
    try {
      const m = await this.source.metrics();
      res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
      res.end(m.text);
    } catch (e) {
      reply(res, {
        status: 500,
        body: { error: { code: 'METRICS', message: e instanceof Error ? e.message : String(e) } },
      });
    }
  }

  private page(res: ServerResponse, name: string, type: string): void {
    // The token goes into the page's asset URLs: every request carries it, files included.
    const text = (this.files.get(name) ?? '').replaceAll('__TOKEN__', encodeURIComponent(this.opts.token));
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    });
    res.end(text);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Authorization: Bearer TOKEN`, as Prometheus' `authorization` scrape setting sends it. */
function bearer(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}

function reply(res: ServerResponse, r: ApiReply): void {
  res.writeHead(r.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(r.body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new Error('actions take a JSON body (application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}
