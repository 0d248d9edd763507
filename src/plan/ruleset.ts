/**
 * The planned rules: what kube-proxy would pass to iptables-restore, before any text is
 * written. Only the emitter knows iptables-save syntax (`:CHAIN - [0:0]`, `-A CHAIN `); here a
 * rule is its chain plus its argument text, tokens joined by single spaces as kube-proxy's
 * LineBuffer joins them.
 *
 * Most of a large cluster's rules — two per endpoint chain, one per endpoint in a service
 * chain — are not held as text at all: the planner hands a chain a RuleWriter, which writes
 * them when the output is written (emit/iptables-save.ts). 300k rule strings kept alive until
 * then cost more to build, hold and collect than writing the text once, straight into the
 * output. Everything else about a rule — its chain, its position — is decided at plan time.
 */

export type TableName = 'filter' | 'nat';

/** Receives rule texts (the text after `-A CHAIN `) in order. */
export interface RuleSink {
  rule(text: string): void;
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
  /** Rule texts, and writers standing for runs of rules, in the order kube-proxy writes them. */
  rules: (string | RuleWriter)[];
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

  /** `-A chain tokens...`; tokens may be nested arrays, as LineBuffer.Write accepts. */
  append(chain: string, ...tokens: (string | readonly string[])[]): void {
    const parts: string[] = [];
    for (const t of tokens) {
      if (typeof t === 'string') parts.push(t);
      else for (const s of t) parts.push(s);
    }
    add(this.chain(chain), parts.join(' '));
  }

  /** Rules `write` will produce when the output is written, at this position in `chain`. */
  appendLater(chain: string, write: RuleWriter): void {
    add(this.chain(chain), write);
  }
}

function add(chain: Chain, rule: string | RuleWriter): void {
  // Most chains get one or two entries (100k endpoint chains get one writer): an array made
  // by a literal holds exactly that, where the first push into [] reserves room for 17.
  if (chain.rules.length === 0) chain.rules = [rule];
  else chain.rules.push(rule);
}

/** A chain's rule texts, running its writers. */
export function ruleTexts(chain: Chain): string[] {
  const out: string[] = [];
  const sink: RuleSink = { rule: (text) => void out.push(text) };
  for (const r of chain.rules) {
    if (typeof r === 'string') out.push(r);
    else r(sink);
  }
  return out;
}

/** Split rule text into tokens; a double-quoted comment stays one token, quotes included. */
export function tokenizeRule(text: string): string[] {
  return text === '' ? [] : (text.match(/"[^"]*"|\S+/g) ?? []);
}

/** The rule's first `--comment` value without quotes, or undefined. */
export function commentOf(text: string): string | undefined {
  const at = text.startsWith('--comment ') ? 0 : text.indexOf(' --comment ');
  if (at < 0) return undefined;
  const start = at === 0 ? 10 : at + 11;
  if (text[start] === '"') {
    const end = text.indexOf('"', start + 1);
    return end < 0 ? undefined : text.slice(start + 1, end);
  }
  const end = text.indexOf(' ', start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

/**
 * `-m comment --comment TEXT`, quoted as kube-proxy quotes it: only when it has a space. A
 * caller that knows (a text built around ` -> `, one per endpoint) passes `hasSpace` and saves
 * the search, which on a freshly concatenated text would also flatten it.
 */
export function comment(text: string, hasSpace = text.includes(' ')): string {
  return hasSpace ? `-m comment --comment "${text}"` : `-m comment --comment ${text}`;
}
