/**
 * The tracer's inputs and outputs. The tracer follows one packet — the first of a
 * connection — through a parsed dump (iptables/dump.ts), so it can trace kp-gen's output and a real
 * node's `iptables-save` alike.
 */
import type { IP } from '../model/ip.js';

/** Where the packet comes from; decides the hooks it passes. */
export type Origin =
  /** Arrives on an interface from another host: PREROUTING, then INPUT or FORWARD (+ POSTROUTING). */
  | 'external'
  /** Arrives from a pod on this node: the same hooks as external; the rules tell pods by source. */
  | 'pod'
  /** Sent by a process on the node itself: OUTPUT, POSTROUTING (+ INPUT when delivered locally). */
  | 'node';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface Packet {
  protocol: Protocol;
  src: IP;
  dst: IP;
  sport: number;
  dport: number;
  from: Origin;
  /**
   * The interface it arrives on, for `-i` rules; unknown when undefined. Ignored for packets
   * from the node, which have none until they loop back to it (then `lo`).
   */
  inInterface?: string;
  /** The interface it leaves by, for `-o` rules; unknown when undefined. */
  outInterface?: string;
}

/** What the node is, as far as the rules can tell. */
export interface NodeContext {
  /**
   * The node's own addresses: `-m addrtype --dst-type LOCAL` (and `--src-type LOCAL`) match
   * these and the loopback range (127.0.0.0/8, ::1), which are always local.
   */
  localAddresses: IP[];
}

export type Verdict = 'DNAT' | 'REJECT' | 'DROP' | 'ACCEPT';

/** One matched rule (or a chain's policy) on the way. */
export interface TraceStep {
  table: string;
  chain: string;
  /** The matched rule as written in the dump; null when the packet fell off a built-in chain. */
  rule: string | null;
  /** 1-based line in the dump; 0 for rules the tracer added (kube-proxy's jumps). */
  line: number;
  /** Extra words: "policy ACCEPT", "added: …". */
  note?: string;
  /** The chain the rule jumps (or goes) to, when it is a chain of the table. */
  jumpTo?: string;
}

/**
 * One rule the walk evaluated, matched or not, and the ends of chains (--explain): what the
 * kernel's TRACE target reports, and for the rules that did not match, why.
 */
export interface Evaluation {
  table: string;
  chain: string;
  /** The rule as written in the dump; null for the end of a chain. */
  rule: string | null;
  /** 1-based line in the dump; 0 for added jumps and chain ends. */
  line: number;
  /**
   * `match`: every part matched; `no`: some part did not (see `why`); `taken`/`not taken`: a
   * `statistic` rule, on this outcome's side of the random choice; `return`: the end of a user
   * chain (or RETURN), back to the caller; `policy`: the end of a built-in chain.
   */
  result: 'match' | 'no' | 'taken' | 'not taken' | 'return' | 'policy';
  /** For `no`: the part of the rule that did not match and what the packet has; else extra words. */
  why?: string;
}

/** Session affinity met on the way: later packets from the same client stick to this endpoint. */
export interface Affinity {
  /** The `recent` list (kube-proxy names it after the endpoint chain). */
  name: string;
  /** How long the client sticks, from the `--rcheck --seconds` rule; null if no such rule was seen. */
  seconds: number | null;
}

export interface Outcome {
  verdict: Verdict;
  /** `ip:port` where the packet goes: the DNAT target, or the unchanged destination for ACCEPT; null for DROP/REJECT. */
  destination: string | null;
  /** Probability of this outcome for the first packet of a connection. */
  probability: number;
  /** Source NAT (MASQUERADE or SNAT) on the way out. */
  masquerade: boolean;
  /** Why DROP/REJECT, from the rule's comment ("no endpoints", "source range", …) or the chain policy. */
  reason?: string;
  affinity?: Affinity;
  /** The chains passed, in order (`PREROUTING`, `KUBE-SERVICES`, …). */
  path: string[];
  steps: TraceStep[];
  /** With `explain`: every rule evaluated on this outcome's way, matched or not. */
  evaluated?: Evaluation[];
}

export interface TraceResult {
  outcomes: Outcome[];
  /** Things the tracer did or assumed that the user should know (added jumps, …). */
  notes: string[];
  /** Rules it could not evaluate exactly (unknown matches, unknown interfaces), once each. */
  warnings: string[];
}
