import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LedgerEntry, RestartLedger } from '../core/reconciler/ledger.js';

/**
 * Restart counts in `.orch/<project>/restarts.json`. Written whole (temp file + rename) on each
 * restart, which is rare, so a reader never sees half a file.
 */
export class FileRestartLedger implements RestartLedger {
  constructor(private readonly file: string) {}

  load(): ReadonlyMap<string, LedgerEntry> {
    const out = new Map<string, LedgerEntry>();
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return out; // none yet, or unreadable: counting starts again
    }
    if (typeof data !== 'object' || data === null) return out;
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (typeof v !== 'object' || v === null) continue;
      const { id, restarts } = v as { id?: unknown; restarts?: unknown };
      if (
        typeof id === 'string' &&
        typeof restarts === 'number' &&
        Number.isInteger(restarts) &&
        restarts >= 0
      ) {
        out.set(k, { id, restarts });
      }
    }
    return out;
  }

  save(entries: ReadonlyMap<string, LedgerEntry>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
