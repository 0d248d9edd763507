/** The result of comparing the kube-proxy parts of two rule dumps (compare.ts). */

/** One rule present on one side only, as its dump spells it. */
export interface DiffLine {
  /**
   * `-`: only in A (removed going from A to B); `+`: only in B; `>`: in both, at another place
   * in the chain (moved; `from` and `to` are its 1-based positions in A's and B's chain).
   */
  op: '-' | '+' | '>';
  /** The rule as written in its dump, from `-A` (B's spelling for a move). */
  rule: string;
  /** For a move: its position in A's chain and in B's. */
  from?: number;
  to?: number;
  /** The rule's canonical key (its meaning, whatever the spelling); not printed in --json. */
  key: string;
}

export interface ChainDiff {
  table: string;
  chain: string;
  /** Set when the chain exists (is used) in one dump only. */
  only: 'a' | 'b' | null;
  lines: DiffLine[];
}

/** Differences of one Service port, or of node-wide rules (`servicePort` null). */
export interface ServicePortDiff {
  /** `namespace/name:port` (`namespace/name` for an unnamed port), from comments and chain names. */
  servicePort: string | null;
  chains: ChainDiff[];
}

export interface DiffResult {
  equal: boolean;
  /** The two sources as named on the command line. */
  a: string;
  b: string;
  /** What was not compared and why (e.g. one dump has no jumps from built-in chains). */
  notes: string[];
  groups: ServicePortDiff[];
  /** Rules only in A / only in B / in both but at another place in their chain. */
  removed: number;
  added: number;
  moved: number;
}
