import type { ClientSide } from './client-side.js';

/** Past this much held request body, the client is paused until an upstream connection is ready. */
const PENDING_LIMIT = 1024 * 1024;

/**
 * Request body bytes read while no upstream connection is ready, held so that a request refused at
 * connect can still be sent whole to another replica. Made only when such bytes arrive.
 */
export class PendingBody {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly client: ClientSide) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > PENDING_LIMIT) this.client.pause();
  }

  /** Writes the held bytes after `head`, in one corked batch, and lets the client read on. */
  flush(socket: { cork(): void; uncork(): void }, write: (b: Buffer | string) => void, head: string): void {
    socket.cork();
    write(head);
    for (const b of this.chunks) write(b);
    socket.uncork();
    if (this.bytes > PENDING_LIMIT) this.client.resume();
  }
}
