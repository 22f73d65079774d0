/**
 * Drops undefined and empty-collection entries, so a document reads like `docker compose
 * config`: used by `orch config` and by the Swarm export alike.
 */
export function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => {
      if (v === undefined) return false;
      if (Array.isArray(v)) return v.length > 0;
      if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
      return true;
    }),
  );
}
