import http from 'node:http';
import net from 'node:net';
import type { NetProbePort } from '../core/ports.js';

function timeoutError(what: string, ms: number): Error {
  return new DOMException(`${what} timed out after ${ms}ms`, 'TimeoutError');
}

/** Host-side probes: one fresh connection per check, so a probe never rides a stale keep-alive socket. */
export const nodeNetProbe: NetProbePort = {
  httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number }> {
    return new Promise((resolve, reject) => {
      const agent = new http.Agent({ keepAlive: false });
      const req = http.get(url, { agent, ...(signal === undefined ? {} : { signal }) }, (res) => {
        const status = res.statusCode ?? 0;
        // Drain the body so the socket closes; only the status matters.
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => req.destroy(timeoutError(`GET ${url}`, timeoutMs)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.on('close', () => {
        clearTimeout(timer);
        agent.destroy();
      });
    });
  },

  tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
        return;
      }
      const socket = net.connect({ host, port });
      const finish = (err?: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err === undefined) resolve();
        else reject(err);
      };
      const onAbort = (): void =>
        finish(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      const timer = setTimeout(() => finish(timeoutError(`connect ${host}:${port}`, timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => finish());
      socket.once('error', (e) => finish(e));
    });
  },
};
