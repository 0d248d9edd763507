/**
 * The planned rules: what kube-proxy would pass to iptables-restore, before any text is
 * written. A rule is data (iptables/rule.ts: its words, target and comment); the printers
 * (emit/) turn the ruleset into restore or save text once.
 *
 * Most of a large cluster's rules — two per endpoint chain, one per endpoint in a service
 * chain — are not held as text at all: the planner hands a chain a RuleWriter, which writes
 * them when the output is written (emit/iptables-save.ts; why: README "Performance").
 * Everything else about a rule — its chain, its position — is decided at plan time.
 */

import type { Rule } from '../iptables/rule.js';

export type TableName = 'filter' | 'nat';

/** Receives a chain's rules in order. */
export interface RuleSink {
  rule(rule: Rule): void;
}

/** Writes a run of a chain's rules, in order, when asked. Pure: the same rules every call. */
export type RuleWriter = (out: RuleSink) => void;

export interface Chain {
  name: string;
  /**
   * Declared by the planner. A chain may get rules before it is declared (a KUBE-SVC chain's
   * masquerade rule comes first); one never declared would be a planner bug, and the emitter
   * declares every chain all the same, so that the bug stays visible.
   */
  declared: boolean;
  /** A built-in chain (INPUT, PREROUTING, …), declared with its ACCEPT policy; --include-jumps only. */
  builtin: boolean;
  /** Rules, and writers standing for runs of rules, in the order kube-proxy writes them. */
  rules: (Rule | RuleWriter)[];
  /**
   * Declared (which flushes it) and then deleted with `-X`: a Service's chain that exists on
   * the host but that the new rules no longer use (kube-proxy's stale-chain cleanup; `kp-gen
   * apply` only). Such a chain has no rules.
   */
  deleted?: true;
}

export interface Table {
  name: TableName;
  /** Every chain declared or written to, by name. */
  chains: Map<string, Chain>;
}

export interface Ruleset {
  filter: Table;
  nat: Table;
}

/** Builds one table, refusing to declare a chain twice (a planner bug, not an input problem). */
export class TableBuilder {
  readonly table: Table;

  constructor(name: TableName) {
    this.table = { name, chains: new Map() };
  }

  private chain(name: string): Chain {
    let c = this.table.chains.get(name);
    if (c === undefined) {
      c = { name, declared: false, builtin: false, rules: [] };
      this.table.chains.set(name, c);
    }
    return c;
  }

  has(chain: string): boolean {
    return this.table.chains.get(chain)?.declared === true;
  }

  /** Declare `chain`; with `write`, also its first rules (appendLater), in one lookup. */
  declare(chain: string, write?: RuleWriter): void {
    const c = this.chain(chain);
    if (c.declared) throw new Error(`chain ${chain} declared twice in ${this.table.name}`);
    c.declared = true;
    if (write) add(c, write);
  }

  /** A built-in chain (INPUT, PREROUTING, …), declared with its ACCEPT policy. */
  declareBuiltin(chain: string): void {
    this.declare(chain);
    this.chain(chain).builtin = true;
  }

  /** `-A chain rule`. */
  append(chain: string, rule: Rule): void {
    add(this.chain(chain), rule);
  }

  /** Rules `write` will produce when the output is written, at this position in `chain`. */
  appendLater(chain: string, write: RuleWriter): void {
    add(this.chain(chain), write);
  }
}

/**
 * Flush and delete `chain` in the same restore (`:CHAIN - [0:0]`, then `-X CHAIN`), as
 * kube-proxy does for a Service's chain left on the host by an earlier sync.
 */
export function deleteChain(table: Table, name: string): void {
  if (table.chains.has(name)) throw new Error(`chain ${name} is in use in ${table.name}; it cannot be deleted`);
  table.chains.set(name, { name, declared: true, builtin: false, rules: [], deleted: true });
}

function add(chain: Chain, rule: Rule | RuleWriter): void {
  // Most chains get one entry or two: sized to that (README "Performance").
  if (chain.rules.length === 0) chain.rules = [rule];
  else chain.rules.push(rule);
}

/** A chain's rules, running its writers. */
export function chainRules(chain: Chain): Rule[] {
  const out: Rule[] = [];
  const sink: RuleSink = { rule: (r) => void out.push(r) };
  for (const r of chain.rules) {
    if (typeof r === 'function') r(sink);
    else out.push(r);
  }
  return out;
}
