import type { ServerResponse } from 'node:http';

/**
 * One Server-Sent Events client. Writes are dropped while the socket's buffer is over `highWater`
 * (a tab in the background, a slow link) rather than queued without bound in the supervisor's
 * memory; the client learns of it through a `dropped` event once the buffer drains.
 */
export class SseClient {
  private dropped = 0;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly highWater = 4 * 1024 * 1024,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Tells the browser to reconnect after 1s if the stream drops (a supervisor being replaced).
    res.write('retry: 1000\n\n');
    res.on('close', () => (this.closed = true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(event: string, data: unknown): void {
    if (this.closed) return;
    if (this.res.writableLength > this.highWater) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      const n = this.dropped;
      this.dropped = 0;
      this.res.write(`event: dropped\ndata: ${n}\n\n`);
    }
    this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line: keeps idle proxies and the browser from timing the stream out. */
  ping(): void {
    if (!this.closed) this.res.write(': ping\n\n');
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }
}
