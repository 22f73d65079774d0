import { randomFillSync } from 'node:crypto';
import type { IdSource } from '../../core/gateway/index.js';

/**
 * Random hex ids from a block of crypto bytes refilled every ~170 requests, instead of one
 * crypto call (and Buffer) per id on the request path.
 */
export class CryptoIds implements IdSource {
  private readonly block = Buffer.allocUnsafe(4096);
  private offset = this.block.length;

  hex(bytes: number): string {
    if (this.offset + bytes > this.block.length) {
      randomFillSync(this.block);
      this.offset = 0;
    }
    const s = this.block.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    return s;
  }
}
