import type { Socket } from 'node:net';

/** The client side of an exchange: where the response goes, and what happens after it. */
export interface ClientSide {
  readonly ip: string;
  /** HTTP minor version the client spoke. */
  readonly minor: number;
  /** Whether the connection will close after this response (so the head says `connection: close`). */
  willClose(keepAlive: boolean): boolean;
  /** Writes response bytes; false means wait for `onDrain`. */
  write(data: Buffer | string): boolean;
  writeHeadAndBody(head: string, body: Buffer | undefined): boolean;
  onDrain(fn: () => void): void;
  /** Stop/resume reading the request body while the upstream is not ready for more. */
  pause(): void;
  resume(): void;
  /** The exchange is over; `close` asks for the connection to be closed after what was written. */
  done(close: boolean): void;
  /** The response was cut short: the connection is torn down. */
  destroy(): void;
  /** The upstream switched protocols: the client socket becomes a tunnel to `upstream`. */
  upgraded(head: string, upstream: Socket, rest: Buffer, onClose: () => void): void;
}
