import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogRecord } from '../../core/logs/types.js';
import { SseClient } from './sse.js';
import type { DashboardSource } from './source.js';

type Topic = 'status' | 'events' | 'logs' | 'gateway';
const TOPICS: readonly Topic[] = ['status', 'events', 'logs', 'gateway'];

interface Subscriber {
  readonly client: SseClient;
  readonly topics: ReadonlySet<Topic>;
  readonly logFilter: (r: LogRecord) => boolean;
}

/** How often status and gateway numbers are pushed while someone watches. */
const TICK_MS = 2000;
/** After an event, the status follows this soon (several events in a burst make one push). */
const SETTLE_MS = 150;

/**
 * `GET /api/stream`: Server-Sent Events of the running stack. Events `status` (the replica rows),
 * `event` (one stack event), `logs` (a batch of new lines), `gateway` (the statistics). The hub
 * follows the source only while a client is connected, so a closed dashboard costs nothing.
 */
export class StreamHub {
  private readonly subs = new Set<Subscriber>();
  private unsubscribe: (() => void)[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;

  constructor(private readonly source: DashboardSource) {}

  attach(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const asked = (url.searchParams.get('topics') ?? '')
      .split(',')
      .filter((t): t is Topic => TOPICS.includes(t as Topic));
    const services = (url.searchParams.get('service') ?? '').split(',').filter((s) => s !== '');
    const grepText = url.searchParams.get('grep');
    let grep: RegExp | undefined;
    try {
      grep = grepText ? new RegExp(grepText) : undefined;
    } catch {
      grep = undefined;
    }
    const sub: Subscriber = {
      client: new SseClient(res),
      topics: new Set(asked.length > 0 ? asked : TOPICS),
      logFilter: (r) =>
        (services.length === 0 || services.includes(r.service)) && (!grep || grep.test(r.line)),
    };
    this.subs.add(sub);
    if (this.subs.size === 1) this.follow();
    req.on('close', () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) this.unfollow();
    });
    sub.client.send('hello', { project: this.source.project });
    void this.pushStatus([sub]);
    this.pushGateway([sub]);
  }

  close(): void {
    for (const s of this.subs) s.client.end();
    this.subs.clear();
    this.unfollow();
  }

  private follow(): void {
    this.unsubscribe = [
      this.source.events.subscribe((e) => {
        for (const s of this.subs) if (s.topics.has('events')) s.client.send('event', e);
        this.settleStatus();
      }),
      this.source.logs.subscribe((batch) => {
        for (const s of this.subs) {
          if (!s.topics.has('logs')) continue;
          const kept = batch.filter(s.logFilter);
          if (kept.length > 0) s.client.send('logs', kept);
        }
      }),
    ];
    this.ticker = setInterval(() => {
      void this.pushStatus([...this.subs]);
      this.pushGateway([...this.subs]);
      for (const s of this.subs) s.client.ping();
    }, TICK_MS);
  }

  private unfollow(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    clearInterval(this.ticker);
    clearTimeout(this.settle);
    this.ticker = undefined;
    this.settle = undefined;
  }

  private settleStatus(): void {
    if (this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      void this.pushStatus([...this.subs]);
    }, SETTLE_MS);
  }

  private async pushStatus(subs: readonly Subscriber[]): Promise<void> {
    const to = subs.filter((s) => s.topics.has('status'));
    if (to.length === 0) return;
    try {
      const replicas = await this.source.replicas();
      for (const s of to) s.client.send('status', { project: this.source.project, replicas });
    } catch {
      // The next tick tries again; a status that cannot be read now is no reason to drop clients.
    }
  }

  private pushGateway(subs: readonly Subscriber[]): void {
    const to = subs.filter((s) => s.topics.has('gateway'));
    if (to.length === 0) return;
    const g = this.source.gateway();
    if (g) for (const s of to) s.client.send('gateway', g);
  }
}
