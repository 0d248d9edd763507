/** The result of comparing the kube-proxy parts of two rule dumps (compare.ts). */

/** One rule present on one side only, as its dump spells it. */
export interface DiffLine {
  /** `-`: only in A (removed going from A to B); `+`: only in B. */
  op: '-' | '+';
  /** The rule as written in its dump, from `-A`. */
  rule: string;
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
  /** Rules only in A / only in B. */
  removed: number;
  added: number;
}
