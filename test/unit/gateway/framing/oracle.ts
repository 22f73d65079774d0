/**
 * Node's own HTTP/1.1 parser (llhttp, through node:http's public API on loopback) as the oracle
 * for the gateway's framing decisions. Each case goes over a fresh connection; what the parser
 * made of it is read back from a node:http server's events (requests, their body bytes, parse
 * errors) or, for responses, from an http.request reading the bytes a raw server sends.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import {
  connect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';

/** A framing decision, as both sides are reduced to it. */
export type Decision =
  | { readonly kind: 'reject' }
  | { readonly kind: 'upgrade' }
  | { readonly kind: 'body-error' }
  /** The message was read: its (decoded) body, and for requests the URLs read after it. */
  | { readonly kind: 'message'; readonly body: string; readonly next: readonly string[] };

export const SENTINEL = 'GET /__next HTTP/1.1\r\nHost: next.test\r\n\r\n';

interface Seen {
  rejected: boolean;
  code?: string;
  first?: string;
  upgrade: boolean;
  body?: string;
  complete: boolean;
  next: string[];
  closed: boolean;
  reply: string;
  check: () => void;
  /** The server did something: the settle time starts again. */
  poke: () => void;
}

/** A node:http server that records, per client port, what its parser did. */
export class RequestOracle {
  private server: Server | undefined;
  private port = 0;
  private readonly byPort = new Map<number, Seen>();

  async start(): Promise<void> {
    // Short head/request timeouts, checked often: a case whose head never completes is answered
    // (408) and closed in about a second rather than waited on.
    const server = createServer({
      requireHostHeader: true,
      headersTimeout: 1_000,
      requestTimeout: 1_500,
      connectionsCheckingInterval: 250,
    });
    const seenOf = (s: Socket): Seen | undefined => this.byPort.get(s.remotePort ?? -1);
    // An Expect other than 100-continue: node:http answers 417 by itself; read as a request here
    // (the framing is what is compared, not that policy).
    server.on('checkExpectation', (req: IncomingMessage, res) => server.emit('request', req, res));
    server.on('request', (req: IncomingMessage, res) => {
      const ev = seenOf(req.socket);
      if (ev === undefined) {
        res.destroy();
        return;
      }
      if (ev.first === undefined) {
        ev.first = req.url ?? '';
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString('latin1')));
        req.on('end', () => {
          ev.body = body;
          ev.complete = true;
          res.end('ok');
          ev.check();
        });
        ev.poke();
        req.on('error', () => undefined);
      } else {
        ev.next.push(req.url ?? '');
        req.resume();
        req.on('end', () => res.end('ok'));
        ev.check();
      }
    });
    const upgraded = (req: IncomingMessage, socket: Socket): void => {
      const ev = seenOf(req.socket);
      if (ev !== undefined && ev.first === undefined) {
        ev.first = req.url ?? '';
        ev.upgrade = true;
      }
      socket.destroy();
      ev?.check();
    };
    server.on('upgrade', upgraded);
    server.on('connect', upgraded);
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const ev = seenOf(socket);
      if (ev !== undefined && ev.first === undefined) {
        ev.rejected = true;
        ev.code = err.code ?? 'ERR';
      }
      socket.destroy();
    });
    this.server = server;
    this.port = await listenLocal(server);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await closeSoon(this.server);
  }

  /**
   * As `once`, asked again (up to 3 times) when node:http said nothing at all: on a starved
   * machine that is no decision.
   */
  async send(
    bytes: Buffer,
    opts: { settleMs?: number; end?: boolean } = {},
  ): Promise<Decision & { code?: string }> {
    let d = await this.once(bytes, opts);
    for (let retry = 0; retry < 3 && d.code === 'NOTHING'; retry++) d = await this.once(bytes, opts);
    return d;
  }

  /** Sends the bytes on a fresh connection; settles when the server has said all it will. */
  private once(
    bytes: Buffer,
    opts: { settleMs?: number; end?: boolean },
  ): Promise<Decision & { code?: string }> {
    const settleMs = opts.settleMs ?? 40;
    return new Promise((resolve) => {
      const sock = connect(this.port, '127.0.0.1');
      let timer: NodeJS.Timeout | undefined;
      let localPort = -1;
      let settled = false;
      const ev: Seen = {
        rejected: false,
        upgrade: false,
        complete: false,
        next: [],
        closed: false,
        reply: '',
        check: () => {
          // Read the first request and the one after it: nothing more will come.
          if (ev.complete && ev.next.length > 0) setImmediate(finish);
        },
        poke: () => idle(),
      };
      const finish = (): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        this.byPort.delete(localPort);
        sock.destroy();
        resolve(decide(ev));
      };
      // On a loaded machine the server may take a while to read at all: the short settle time
      // only starts once it has done something.
      const idle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        // Node answers every request it reads (its own 400 included): wait for that answer.
        const heard = ev.reply !== '' || ev.rejected || ev.upgrade;
        timer = setTimeout(finish, heard ? settleMs : 2_500);
      };
      sock.on('connect', () => {
        localPort = sock.localPort ?? -1;
        this.byPort.set(localPort, ev);
        // `end`: the client has nothing more (a head that never completes is then refused at EOF
        // instead of at the head timeout).
        if (opts.end === true) sock.end(bytes);
        else sock.write(bytes);
        idle();
      });
      sock.on('data', (d: Buffer) => {
        ev.reply += d.toString('latin1');
        idle();
      });
      sock.on('error', () => undefined);
      const closed = (): void => {
        ev.closed = true;
        setTimeout(finish, 5);
      };
      sock.on('end', closed);
      sock.on('close', closed);
    });
  }
}

function decide(ev: Seen): Decision & { code?: string } {
  // node:http answers an HTTP/1.1 request without Host with its own 400, and no 'request' event.
  if (ev.rejected || ev.reply.startsWith('HTTP/1.1 400'))
    return { kind: 'reject', code: ev.code ?? 'HTTP_400' };
  if (ev.upgrade) return { kind: 'upgrade' };
  if (ev.first !== undefined && ev.complete) return { kind: 'message', body: ev.body ?? '', next: ev.next };
  if (ev.first !== undefined) return { kind: 'body-error' };
  return { kind: 'reject', code: 'NOTHING' };
}

/** A raw server sending each case's response bytes, and http.request reading them. */
export class ResponseOracle {
  private server: TcpServer | undefined;
  private port = 0;
  private readonly cases = new Map<string, { bytes: Buffer; extra: Buffer; pause: number }>();
  private n = 0;

  async start(): Promise<void> {
    const server = createTcpServer((sock) => {
      let buf = '';
      sock.on('error', () => undefined);
      sock.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const id = /^[A-Z]+ \/case\/(\d+) /.exec(buf)?.[1] ?? '';
        buf = '';
        const c = this.cases.get(id);
        if (c === undefined) {
          sock.destroy();
          return;
        }
        // What follows the message comes in a later read, so the client has finished the message
        // (or not) before it sees them.
        sock.write(c.bytes);
        setTimeout(() => sock.end(c.extra), c.pause);
      });
    });
    this.server = server;
    this.port = await listenLocal(server);
  }

  async stop(): Promise<void> {
    await closeSoon(this.server);
  }

  /**
   * What http.request made of `bytes` sent as the answer to a `method` request. When the bytes
   * after the message reached the client in the same read (a loaded machine), its parser failed
   * before handing over the body: the case is sent again with a longer pause.
   */
  async send(
    method: string,
    bytes: Buffer,
    extra: Buffer,
  ): Promise<Decision & { code?: string; racy?: boolean }> {
    let d = await this.once(method, bytes, extra, 20);
    for (let pause = 100; d.racy === true && pause <= 1_000; pause *= 3)
      d = await this.once(method, bytes, extra, pause);
    return d;
  }

  private once(
    method: string,
    bytes: Buffer,
    extra: Buffer,
    pause: number,
  ): Promise<Decision & { code?: string; racy?: boolean }> {
    const id = String(++this.n);
    this.cases.set(id, { bytes, extra, pause });
    return new Promise((resolve) => {
      let settled = false;
      const done = (d: Decision & { code?: string; racy?: boolean }): void => {
        if (settled) return;
        settled = true;
        this.cases.delete(id);
        resolve(d);
      };
      let res: IncomingMessage | undefined;
      let body = '';
      // Bytes after a complete response make the client parser fail; by then the message was
      // read, which is what counts (`complete`).
      let clean = false;
      const ended = (): void => {
        if (res === undefined) return;
        const racy = !clean && extra.length > 0;
        done(res.complete ? { kind: 'message', body, next: [], racy } : { kind: 'body-error', racy });
      };
      const req = request(
        { host: '127.0.0.1', port: this.port, method, path: `/case/${id}`, agent: false },
        (r) => {
          res = r;
          // Upgrade answers never reach here (101 goes to 'upgrade'), nor do 1xx interim ones.
          r.on('data', (d: Buffer) => (body += d.toString('latin1')));
          r.on('end', () => {
            clean = true;
            ended();
          });
          r.on('error', () => {
            for (let d = r.read() as Buffer | null; d !== null; d = r.read() as Buffer | null)
              body += d.toString('latin1');
          });
          r.on('error', ended);
          r.on('close', () => setImmediate(ended));
        },
      );
      req.on('upgrade', (_res, socket: Socket) => {
        socket.destroy();
        done({ kind: 'upgrade' });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (res !== undefined) ended();
        else done({ kind: 'reject', code: e.code ?? 'ERR' });
      });
      req.end();
    });
  }
}

async function listenLocal(server: TcpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Closes the server; connections a test left behind are not waited on for more than 2 s. */
async function closeSoon(server: TcpServer | undefined): Promise<void> {
  if (server === undefined) return;
  await new Promise<void>((r) => {
    server.close(() => r());
    setTimeout(r, 2_000).unref();
  });
}

/** Runs `fn` over `items` with at most `width` at a time, keeping order in the results. */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
