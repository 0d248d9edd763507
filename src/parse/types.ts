/**
 * A rule dump as data: what `iptables-save` / `ip6tables-save` print, or what kp-gen (and
 * kube-proxy) feed to `iptables-restore`. Both spellings parse to the same shapes; the
 * differences between them (quoting, `-m tcp` placement, `--or-mark` vs `--set-xmark`, …)
 * are resolved later by canonical.ts, so `diff` and `trace` see rules, not text.
 */

/** One shell-like word of a rule line. */
export interface Token {
  /** The word with quotes removed and escapes resolved. */
  text: string;
  /** Whether any part of it was quoted: a quoted word is always a value, never an option. */
  quoted: boolean;
}

/** An option and its values, e.g. `! --ctstate RELATED,ESTABLISHED` or `-s 10.0.0.0/8`. */
export interface RuleOption {
  /** The option as written (`--dport`, `-s`, `--source`); canonical.ts resolves aliases. */
  name: string;
  /** Preceded by `!` (or old-style `-s ! X`). */
  negated: boolean;
  values: string[];
}

/** One `-m NAME` and the options that belong to it. */
export interface MatchSpec {
  /** Module name, lower-case (`tcp`, `comment`, `statistic`, …). */
  name: string;
  /**
   * Loaded by iptables itself rather than by `-m`: `-p tcp --dport 80` without `-m tcp`.
   * iptables-save always prints such matches as `-m tcp`.
   */
  implicit: boolean;
  options: RuleOption[];
}

/** `-j NAME` or `-g NAME` and the target's options. */
export interface TargetSpec {
  name: string;
  /** `-g` (goto): a later RETURN goes back to the caller's caller. */
  goto: boolean;
  options: RuleOption[];
}

/** The parsed arguments of one `-A CHAIN ...` rule. */
export interface RuleSpec {
  /** The built-in selectors `-s -d -p -i -o -f`, under their short names. */
  selectors: RuleOption[];
  matches: MatchSpec[];
  /** null for a rule without `-j`/`-g` (it only counts packets). */
  target: TargetSpec | null;
}

export interface DumpRule {
  table: string;
  chain: string;
  /** 1-based line in the dump, for messages. */
  line: number;
  /** The rule as written, from `-A`, without any `[packets:bytes]` counter prefix. */
  text: string;
  spec: RuleSpec;
}

export interface ChainDump {
  name: string;
  /** `ACCEPT`/`DROP` for a built-in chain; null for a user chain (`-`). */
  policy: string | null;
  rules: DumpRule[];
}

export interface TableDump {
  name: string;
  /** Chains in declaration order (order carries no meaning; diff ignores it). */
  chains: Map<string, ChainDump>;
}

export interface Dump {
  /** Where the text came from, as the user named it (`-` for stdin). */
  source: string;
  /** Tables in the order they appear. */
  tables: Map<string, TableDump>;
}

/** The chains every table may use without declaring them. */
export const BUILTIN_CHAIN_NAMES: ReadonlySet<string> = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
