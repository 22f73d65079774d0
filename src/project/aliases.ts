import { isAlias, isCollection, isPair, type Document, type Node } from 'yaml';

/**
 * Nodes a document may expand to once every alias is replaced by its anchor's content. Real
 * anchor-heavy compose files reach a few hundred thousand; a "billion laughs" bomb passes this
 * after a handful of levels, long before it costs memory.
 */
export const MAX_EXPANDED_NODES = 5_000_000;

export interface AliasProblem {
  readonly offset: number;
  readonly message: string;
}

/**
 * Measures the expanded size instead of counting alias uses (the yaml package's guard), because
 * the size is what a bomb attacks: one anchor reused 5,000 times is harmless, ten anchors each
 * doubling the previous one are not. Memoized per anchored node, so this is linear in the text.
 */
export function aliasExpansion(doc: Document.Parsed): { nodes: number; problem?: AliasProblem } {
  const sizes = new Map<Node, number>();
  const inProgress = new Set<Node>();
  const anchors = new Map<string, Node>();
  let problem: AliasProblem | undefined;

  const size = (node: unknown): number => {
    if (problem || node === null || typeof node !== 'object') return 1;
    if (isAlias(node)) {
      // Anchors are recorded in document order as the walk meets them, which is exactly the
      // "last anchor of that name before the alias" rule (and avoids yaml's per-alias rescan).
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (!target) {
        problem = { offset, message: `alias *${node.source} names no anchor defined before it` };
        return 1;
      }
      if (inProgress.has(target)) {
        problem = { offset, message: `alias *${node.source} refers to a node that contains it` };
        return 1;
      }
      const known = sizes.get(target);
      if (known !== undefined) return known;
      return sizeOf(target);
    }
    return sizeOf(node as Node);
  };

  const sizeOf = (node: Node): number => {
    if (node.anchor) anchors.set(node.anchor, node);
    inProgress.add(node);
    let n = 1;
    if (isCollection(node)) {
      for (const item of node.items) {
        n += isPair(item) ? size(item.key) + size(item.value) : size(item);
        if (n > MAX_EXPANDED_NODES) break;
      }
    }
    inProgress.delete(node);
    sizes.set(node, n);
    if (n > MAX_EXPANDED_NODES && !problem) {
      problem = {
        offset: node.range?.[0] ?? 0,
        message: `the aliases here expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} nodes (an alias bomb?); refusing to load it`,
      };
    }
    return n;
  };

  const nodes = size(doc.contents);
  return problem ? { nodes, problem } : { nodes };
}
