/** One entry of a smooth weighted rotation and its running score. */
export interface Weighted<T> {
  readonly item: T;
  readonly weight: number;
  current: number;
}

/**
 * nginx's smooth weighted round robin: each pick adds every eligible entry's weight to its score,
 * takes the highest score and lowers it by the eligible total. Over any run of `total` picks each
 * entry gets exactly its weight's share, interleaved (5,1,1 gives a a b a c a a, never a burst of
 * five). An entry that is not eligible (no replica in rotation) is skipped and keeps its score, so
 * the split resumes where it was when it comes back.
 */
export class SmoothWeighted<T> {
  readonly entries: readonly Weighted<T>[];

  constructor(entries: readonly { readonly item: T; readonly weight: number }[]) {
    this.entries = entries.map((e) => ({ item: e.item, weight: e.weight, current: 0 }));
  }

  pick(eligible?: (item: T) => boolean): T | undefined {
    let best: Weighted<T> | undefined;
    let total = 0;
    for (const e of this.entries) {
      if (eligible !== undefined && !eligible(e.item)) continue;
      e.current += e.weight;
      total += e.weight;
      if (best === undefined || e.current > best.current) best = e;
    }
    if (best === undefined) return undefined;
    best.current -= total;
    return best.item;
  }
}
