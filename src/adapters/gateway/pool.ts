import { Pool } from 'undici';

/**
 * One keep-alive connection pool per upstream address. No pipelining (HTTP/1.1 pipelining would
 * let one slow response hold up others); connections are kept warm between requests.
 */
export class Pools {
  private readonly pools = new Map<string, Pool>();

  get(origin: string): Pool {
    let p = this.pools.get(origin);
    if (p === undefined) {
      p = new Pool(origin, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 60_000,
        connect: { timeout: 5_000 },
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Closes pools of addresses no longer routed to; their in-flight requests finish first. */
  release(origins: readonly string[]): void {
    for (const o of origins) {
      const p = this.pools.get(o);
      if (p === undefined) continue;
      this.pools.delete(o);
      p.close().catch(() => undefined);
    }
  }

  async closeAll(graceMs: number): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(
      pools.map(async (p) => {
        const timer = setTimeout(() => void p.destroy().catch(() => undefined), graceMs);
        try {
          await p.close();
        } catch {
          // already destroyed
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}
