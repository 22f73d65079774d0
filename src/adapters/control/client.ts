import { request } from 'node:http';
import { answer, supervisorStatus } from './status.js';

/** Talks to a project's supervisor, if one runs. */
export class ControlClient {
  constructor(private readonly path: string) {}

  /** True when a supervisor answers; a socket left by a killed one is removed. */
  async alive(): Promise<boolean> {
    return (await this.statusIfAlive()) !== undefined;
  }

  /**
   * The supervisor's `GET /status` answer, or undefined when none runs (a socket left by a killed
   * one is removed). One round trip where `alive()` then `call()` take two.
   */
  statusIfAlive<T = unknown>(): Promise<T | undefined> {
    return supervisorStatus<T>(this.path);
  }

  call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 600_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          socketPath: this.path,
          path,
          method,
          timeout: timeoutMs,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(answer<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (e) {
              reject(e);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('supervisor did not answer in time')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * Follows `GET /events` (one JSON object per line) until `signal` aborts or the supervisor ends
   * the stream (it stopped); `sinceMs` (epoch ms) replays the events it kept from then on first.
   */
  events(onEvent: (e: unknown) => void, signal: AbortSignal, sinceMs?: number): Promise<void> {
    const path = sinceMs === undefined ? '/events' : `/events?since=${Math.floor(sinceMs)}`;
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.path, path, method: 'GET', signal }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line) onEvent(JSON.parse(line));
          }
        });
        res.on('end', () => resolve());
      });
      req.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      req.end();
    });
  }
}
