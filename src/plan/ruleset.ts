/**
 * The planned rules: what kube-proxy would pass to iptables-restore, before any text is
 * written. Chain declarations and rules are kept apart, as kube-proxy keeps its
 * filterChains/filterRules/natChains/natRules line buffers apart. Only the emitter knows
 * iptables-save syntax; here a rule is its chain plus argument tokens.
 */

export type TableName = 'filter' | 'nat';

export interface Rule {
  /** The chain the rule is appended to (`-A CHAIN`). */
  chain: string;
  /** The tokens after `-A CHAIN`, already quoted where kube-proxy quotes them. */
  args: string[];
  /**
   * The rule's first `--comment` value without quotes, or undefined. The canonical order
   * sorts some chains by it (emit/canonical-order.ts).
   */
  comment: string | undefined;
}

export interface Table {
  name: TableName;
  /** Declared chains in the order kube-proxy declares them; each at most once. */
  chains: string[];
  /** Built-in chains declared with a policy (`:INPUT ACCEPT [0:0]`), only with --include-jumps. */
  builtins: string[];
  /** Rules in the order kube-proxy writes them. */
  rules: Rule[];
}

export interface Ruleset {
  filter: Table;
  nat: Table;
}

/** Builds one table, refusing to declare a chain twice (a planner bug, not an input problem). */
export class TableBuilder {
  readonly table: Table;
  private readonly declared = new Set<string>();

  constructor(name: TableName) {
    this.table = { name, chains: [], builtins: [], rules: [] };
  }

  declare(chain: string): void {
    if (this.declared.has(chain)) throw new Error(`chain ${chain} declared twice in ${this.table.name}`);
    this.declared.add(chain);
    this.table.chains.push(chain);
  }

  /** A built-in chain (INPUT, PREROUTING, …), declared with its ACCEPT policy. */
  declareBuiltin(chain: string): void {
    this.declare(chain);
    this.table.builtins.push(chain);
  }

  /** `-A chain tokens...`; tokens may be nested arrays, as LineBuffer.Write accepts. */
  append(chain: string, ...tokens: (string | readonly string[])[]): void {
    // Sized exactly: a large cluster keeps 300k of these arrays until the output is written.
    let n = 0;
    for (const t of tokens) n += typeof t === 'string' ? 1 : t.length;
    const args = new Array<string>(n);
    let i = 0;
    for (const t of tokens) {
      if (typeof t === 'string') args[i++] = t;
      else for (const s of t) args[i++] = s;
    }
    this.table.rules.push(new AppendedRule(chain, args));
  }
}

/**
 * A rule written by TableBuilder. Its comment is read from the arguments only when asked
 * (the canonical order needs it for two chains): a large cluster has 300k rules, and a
 * stored copy of each comment would be 300k more strings to keep.
 */
class AppendedRule implements Rule {
  constructor(
    readonly chain: string,
    readonly args: string[],
  ) {}

  get comment(): string | undefined {
    return firstComment(this.args);
  }
}

/** `-m comment --comment TEXT`, quoted when the text has a space (kube-proxy quotes by hand). */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text.includes(' ') ? ['"', text, '"'].join('') : text];
}

function firstComment(args: readonly string[]): string | undefined {
  const i = args.indexOf('--comment');
  if (i < 0 || i + 1 >= args.length) return undefined;
  const v = args[i + 1]!;
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}
