import type { ReplicaTracker } from '../engine/replica-tracker.js';
import type { ReplicaId } from '../runtime/port.js';
import type { Supervisor } from '../supervisor/index.js';

/** A replica's restart count as an earlier supervisor left it, and the replica it was counted on. */
export interface LedgerEntry {
  readonly id: ReplicaId;
  readonly restarts: number;
}

/**
 * Where restart counts outlive a supervisor (the background supervisor is replaced by each
 * `orch up -d`), keyed `service/replica`.
 */
export interface RestartLedger {
  load(): ReadonlyMap<string, LedgerEntry>;
  save(entries: ReadonlyMap<string, LedgerEntry>): void;
}

/** This stack's entries of the ledger: seeded from the last supervisor's, saved on each restart. */
export class LedgerBook {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(
    private readonly ledger: RestartLedger | undefined,
    private readonly tracker: ReplicaTracker,
  ) {}

  /** Counts carry over only onto the very replica they were made on; a recreated one starts at 0. */
  seed(supervisor: Supervisor): void {
    if (this.ledger === undefined) return;
    for (const [k, e] of this.ledger.load()) {
      const r = this.tracker.all().find((x) => x.id === e.id);
      if (r !== undefined && `${r.service}/${r.replica}` === k) {
        supervisor.seedRestarts(r.service, r.replica, e.restarts);
        this.entries.set(k, e);
      }
    }
  }

  record(service: string, replica: number, restarts: number): void {
    const r = this.tracker.of(service).find((x) => x.replica === replica);
    if (this.ledger === undefined || r === undefined) return;
    this.entries.set(`${service}/${replica}`, { id: r.id, restarts });
    try {
      this.ledger.save(this.entries);
    } catch {
      // Counts are a convenience for `ps`; failing to keep them must not disturb supervision.
    }
  }
}
