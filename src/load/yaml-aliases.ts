/**
 * A limit on YAML alias expansion. js-yaml resolves an alias to the very node its anchor names,
 * so a 700-byte "billion laughs" document parses quickly into a small graph that is a tree of
 * billions of nodes for anything that walks it (the decoder, List flattening, --save-manifests),
 * and an alias inside its own anchor makes a cycle that walks for ever.
 *
 * As go-yaml does since its alias-bomb fix (decode.go, allowedAliasRatio), what counts is the
 * share of the expanded tree that comes from aliases: up to 99% while the tree is small (aliases
 * for shared labels and ports are normal), falling to 10% for trees of 4 million nodes. The
 * expanded size is counted over the graph, each distinct node once, so the check costs as much
 * as the parsed document and never expands anything.
 */
import { InputError } from '../errors.js';

/** Nodes of the expanded tree below which any share of aliases is fine. */
const SMALL_TREE = 400_000;
const LARGE_TREE = 4_000_000;

/** The share of a tree of `size` nodes that may come from aliases. */
export function allowedAliasShare(size: number): number {
  if (size <= SMALL_TREE) return 0.99;
  if (size >= LARGE_TREE) return 0.1;
  return 0.99 - (0.89 * (size - SMALL_TREE)) / (LARGE_TREE - SMALL_TREE);
}

/**
 * Refuse a parsed YAML document whose aliases expand too far, or refer to a node containing
 * them. `doc` is 1-based, for the message.
 */
export function checkAliasExpansion(value: unknown, file: string, doc: number): void {
  if (value === null || typeof value !== 'object') return;
  const sizes = new Map<object, number>();
  const OPEN = -1;
  let distinct = 0;
  // Expanded size of `node`: itself plus every child, a shared child counted at each use.
  const sizeOf = (node: object): number => {
    const known = sizes.get(node);
    if (known === OPEN) {
      throw new InputError({ file, field: `document ${doc}` }, 'invalid YAML: an alias refers to a node that contains it (the document would be infinite)');
    }
    if (known !== undefined) return known;
    sizes.set(node, OPEN);
    let size = 1;
    distinct++;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const c of children) {
      if (c !== null && typeof c === 'object') size += sizeOf(c);
      else {
        size++;
        distinct++;
      }
    }
    sizes.set(node, size);
    return size;
  };
  const total = sizeOf(value);
  const fromAliases = total - distinct;
  if (fromAliases > 100 && total > 1000 && fromAliases / total > allowedAliasShare(total)) {
    throw new InputError(
      { file, field: `document ${doc}` },
      `invalid YAML: its aliases would expand ${distinct} nodes into ${total.toPrecision(3)} (an alias bomb?); kp-gen allows aliases to make at most ${Math.round(allowedAliasShare(total) * 100)}% of a document`,
    );
  }
}
