/**
 * A rule dump as data: what `iptables-save` / `ip6tables-save` print, or what kp-gen (and
 * kube-proxy) feed to `iptables-restore`. Both spellings read to the same Rule type; the
 * differences between them (quoting, `-m tcp` placement, `--or-mark` vs `--set-xmark`, …)
 * disappear in the compare key (canonical.ts), so `diff` and `trace` see rules, not text.
 */
import type { Rule } from './rule.js';
import type { RuleShape } from './shape.js';

/**
 * One rule of a dump. The reader (dump.ts) works out `rule` and `shape` only when they are
 * first asked for, and keeps them: a trace reads the few chains its packet passes, a diff
 * only the chains whose text differs, and a 10k-Service dump has 400k rules. A rule that
 * cannot be read throws DumpParseError (file:line) then.
 */
export interface DumpRule {
  readonly table: string;
  readonly chain: string;
  /** 1-based line in the dump, for messages. */
  readonly line: number;
  /** The rule as written, from `-A`, without any `[packets:bytes]` counter prefix. */
  readonly text: string;
  /** The rule as data (comment apart). */
  readonly rule: Rule;
  /** Its structure as iptables parses it (shape.ts), for comparing and tracing. */
  readonly shape: RuleShape;
  /** Rule and shape worked out without keeping them (for a caller that needs each rule once). */
  read?(): { rule: Rule; shape: RuleShape };
  /** Not in the dump (line 0): added by the tracer as kubelet makes it (trace/jumps.ts). */
  readonly addedBy?: 'kubelet';
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
