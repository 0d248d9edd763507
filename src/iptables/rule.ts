/**
 * One iptables rule as data: what kube-proxy passes to iptables-restore after `-A CHAIN`, and
 * what kp-gen reads back from a node's dump. Data only; the printers (restore.ts, save.ts),
 * the reader (read.ts), the compare key (canonical.ts) and the tracer turn it into text or
 * meaning, with the vocabulary (vocabulary.ts) saying what each word is.
 *
 * A rule keeps kube-proxy's word order: iptables lets a match's options follow header fields
 * (`-m tcp -p tcp -d 10.96.0.1 --dport 80`), kube-proxy writes them that way, and the restore
 * form must be byte-identical to kube-proxy's. `shape.ts` gives the structured view, with every
 * option attached to the match that takes it.
 *
 * The comment is kept apart from the other words, as knftables keeps `Rule.Comment`: it is
 * kube-proxy's explanation of the rule, the key of its canonical sort, and how a dump's rule
 * is traced back to its Service.
 */

/** The header fields of every rule, under their short names. */
export type HeaderFlag = '-s' | '-d' | '-i' | '-o' | '-p' | '-f';

/** `[!] -d 10.96.0.1`: a field of the IP header (or the interfaces), matched without `-m`. */
export interface HeaderArg {
  readonly kind: 'header';
  readonly flag: HeaderFlag;
  /** As written; empty for `-f`, which takes no value. */
  readonly value: string;
  readonly negated: boolean;
}

/** `-m NAME`: loads a match module; the options after it that it takes belong to it. */
export interface MatchArg {
  readonly kind: 'match';
  readonly module: string;
}

/** `[!] --dport 80`: an option of the match (or target) that takes it, with its values. */
export interface OptionArg {
  readonly kind: 'option';
  readonly name: string;
  readonly values: readonly string[];
  readonly negated: boolean;
}

export type Arg = HeaderArg | MatchArg | OptionArg;

/** `-j NAME` (or `-g NAME`) and the target's options. */
export interface Target {
  readonly name: string;
  /** `-g`: a RETURN further down goes back to this rule's caller. */
  readonly goto: boolean;
  readonly options: readonly OptionArg[];
}

export interface Rule {
  /** `-m comment --comment TEXT`; undefined for a rule without one. */
  readonly comment?: string | undefined;
  /**
   * Where the comment stands: before `args[commentAt]` (0, the default, puts it first, where
   * kube-proxy puts most comments; its jumps into KUBE-* chains have it after the conntrack match).
   */
  readonly commentAt?: number;
  /** Header fields, matches and their options, in the order written. */
  readonly args: readonly Arg[];
  /** undefined for a rule that only counts packets (and KUBE-FW's last rule). */
  readonly target?: Target | undefined;
}

// Builders: the planner writes rules with these, never with text.

export function header(flag: HeaderFlag, value: string, negated = false): HeaderArg {
  const a: HeaderArg = { kind: 'header', flag, value, negated };
  return a;
}

export function match(module: string): MatchArg {
  const a: MatchArg = { kind: 'match', module };
  return a;
}

export function option(name: string, ...values: string[]): OptionArg {
  const a: OptionArg = { kind: 'option', name, values, negated: false };
  return a;
}

export function notOption(name: string, ...values: string[]): OptionArg {
  const a: OptionArg = { kind: 'option', name, values, negated: true };
  return a;
}

const NO_OPTIONS: readonly OptionArg[] = [];

/** `-j NAME [options]`: a built-in target or a chain. */
export function jump(name: string, options: readonly OptionArg[] = NO_OPTIONS): Target {
  return { name, goto: false, options };
}

/** A rule; `args` and `target` as written after the comment. */
export function rule(comment: string | undefined, args: readonly Arg[], target?: Target): Rule {
  return { comment, args, target };
}

/**
 * The same builders, for the rules the chain writers (plan/ruleset.ts) make while the output
 * is printed: those die at once, the planner's other rules live to the end, and builders of
 * their own keep the two apart for the garbage collector (README "Performance").
 */
export const transient = {
  header(flag: HeaderFlag, value: string, negated = false): HeaderArg {
    return { kind: 'header', flag, value, negated };
  },
  option(name: string, ...values: string[]): OptionArg {
    return { kind: 'option', name, values, negated: false };
  },
  jump(name: string, options: readonly OptionArg[] = NO_OPTIONS): Target {
    return { name, goto: false, options };
  },
  rule(comment: string | undefined, args: readonly Arg[], target?: Target): Rule {
    return { comment, args, target };
  },
};
