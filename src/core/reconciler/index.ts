export { Reconciler, type ReconcilerOptions } from './reconciler.js';
export type { LedgerEntry, RestartLedger } from './ledger.js';
export type { RotationPort, RotationReplica } from './membership.js';
export type { StatusRow } from './status.js';
export { canRoll, type RollOptions } from './rollout.js';
export type { ApplyOptions } from './apply.js';
