import type { NetProbePort } from '../../src/core/ports.js';
import { untilAborted } from './abort.js';
import type { FakeClock } from './clock.js';

/** One scripted answer; `delayMs` is spent on the virtual clock before answering. */
export type FakeNetAnswer =
  | { readonly status: number; readonly delayMs?: number }
  | { readonly error: string; readonly delayMs?: number }
  | { readonly hang: true };

export interface FakeNetCall {
  readonly kind: 'http' | 'tcp';
  readonly target: string;
  readonly timeoutMs: number;
  readonly at: number;
}

/**
 * Scripted host-side network. Answers for a URL (http) or `host:port` (tcp) are consumed in
 * order and the last one repeats; anything unscripted is refused, as a closed port would be.
 * For tcp, any `status` answer means "connected".
 */
export class FakeNet implements NetProbePort {
  readonly calls: FakeNetCall[] = [];
  private readonly scripts = new Map<string, FakeNetAnswer[]>();

  constructor(private readonly clock: FakeClock) {}

  http(url: string, ...answers: FakeNetAnswer[]): this {
    this.scripts.set(`http ${url}`, [...answers]);
    return this;
  }

  tcp(host: string, port: number, ...answers: FakeNetAnswer[]): this {
    this.scripts.set(`tcp ${host}:${port}`, [...answers]);
    return this;
  }

  async httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number }> {
    this.calls.push({ kind: 'http', target: url, timeoutMs, at: this.clock.now() });
    const status = await this.answer(`http ${url}`, signal);
    return { status };
  }

  async tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.calls.push({ kind: 'tcp', target: `${host}:${port}`, timeoutMs, at: this.clock.now() });
    await this.answer(`tcp ${host}:${port}`, signal);
  }

  private async answer(key: string, signal: AbortSignal | undefined): Promise<number> {
    const queue = this.scripts.get(key);
    const answer: FakeNetAnswer = (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? {
      error: 'connect ECONNREFUSED',
    };
    if ('hang' in answer) return untilAborted(signal);
    if (answer.delayMs !== undefined) await this.clock.sleep(answer.delayMs, signal);
    if ('error' in answer) throw new Error(answer.error);
    return answer.status;
  }
}
