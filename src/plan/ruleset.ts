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
  /** The text after `-A CHAIN `: tokens joined by single spaces, comments quoted as kube-proxy quotes them. */
  readonly text: string;
  /** The same as tokens (a quoted comment is one token, quotes included). */
  readonly args: string[];
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
    // The rule is kept as one flat string: a large cluster keeps 300k rules until the output
    // is written, and one string per rule is far cheaper to hold (and to collect) than an
    // array of tokens. Tokens are recovered on demand (save format, comments).
    const parts: string[] = [];
    for (const t of tokens) {
      if (typeof t === 'string') parts.push(t);
      else for (const s of t) parts.push(s);
    }
    this.table.rules.push(new AppendedRule(chain, parts.join(' ')));
  }
}

class AppendedRule implements Rule {
  constructor(
    readonly chain: string,
    readonly text: string,
  ) {}

  get args(): string[] {
    return tokenizeRule(this.text);
  }

  get comment(): string | undefined {
    return commentOf(this.text);
  }
}

/** Split rule text into tokens; a double-quoted comment stays one token, quotes included. */
export function tokenizeRule(text: string): string[] {
  return text === '' ? [] : (text.match(/"[^"]*"|\S+/g) ?? []);
}

function commentOf(text: string): string | undefined {
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

export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text.includes(' ') ? ['"', text, '"'].join('') : text];
}

