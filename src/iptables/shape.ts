/**
 * A rule's structure as iptables parses it: header fields, then each match with the options that
 * belong to it, then the target with its options. iptables gives an option to the most recent
 * match that takes it, wherever it stands (in kube-proxy's `-m tcp -p tcp -d X --dport 80`,
 * `--dport` belongs to `tcp`), and `-p tcp --dport 80` loads `tcp` without `-m`. The save
 * printer, the compare key and the tracer work on this view.
 */
import { MATCHES, PROTOCOLS, TARGETS, lookupOption, type OptionSpec } from './vocabulary.js';
import type { Arg, HeaderArg, OptionArg, Rule, Target } from './rule.js';

export interface ShapedMatch {
  module: string;
  /** Loaded by `-p` rather than `-m` (`-p tcp --dport 80`); iptables-save prints it as `-m tcp`. */
  implicit: boolean;
  options: OptionArg[];
}

export interface RuleShape {
  header: HeaderArg[];
  /** In `-m` order, the comment among them where it was written. */
  matches: ShapedMatch[];
  target: Target | null;
}

/** An option no match of the rule takes. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** The comment as the match iptables sees. */
function commentArgs(comment: string): Arg[] {
  return [{ kind: 'match', module: 'comment' }, { kind: 'option', name: '--comment', values: [comment], negated: false }];
}

/** The rule's words in order, with its comment where it stands. */
function allArgs(rule: Rule): readonly Arg[] {
  if (rule.comment === undefined) return rule.args;
  const at = rule.commentAt ?? 0;
  return [...rule.args.slice(0, at), ...commentArgs(rule.comment), ...rule.args.slice(at)];
}

/** Builds a shape one word at a time; the reader asks it who takes an option before reading its values. */
export class ShapeBuilder {
  readonly shape: RuleShape = { header: [], matches: [], target: null };
  private protocol: string | undefined;

  add(arg: Arg): void {
    if (arg.kind === 'header') {
      this.shape.header.push(arg);
      if (arg.flag === '-p' && !arg.negated) this.protocol = arg.value.toLowerCase();
    } else if (arg.kind === 'match') {
      this.shape.matches.push({ module: arg.module, implicit: false, options: [] });
    } else {
      const owner = this.owner(arg.name);
      if (!owner) throw new ShapeError(`option ${arg.name} belongs to no match of the rule`);
      owner.match.options.push(arg);
    }
  }

  /** An option whose owner the reader has already asked for (owner()). */
  addOption(arg: OptionArg, owner: ShapedMatch): void {
    owner.options.push(arg);
  }

  setTarget(target: Target): void {
    this.shape.target = target;
  }

  /**
   * The match that takes option `name` and the option's spec (undefined for a module outside
   * the vocabulary, whose options take every word up to the next option). Loads the
   * protocol's match implicitly when it is the one.
   */
  owner(name: string): { match: ShapedMatch; spec: OptionSpec | undefined; name: string } | undefined {
    const matches = this.shape.matches;
    for (let j = matches.length - 1; j >= 0; j--) {
      const m = matches[j]!;
      const known = MATCHES[m.module];
      const o = known ? lookupOption(known, name) : undefined;
      if (o) return { match: m, spec: o.spec, name: o.name };
    }
    const proto = this.protocol;
    if (proto !== undefined && PROTOCOLS.has(proto)) {
      const o = lookupOption(MATCHES[proto]!, name);
      if (o) {
        const m: ShapedMatch = { module: proto, implicit: true, options: [] };
        matches.push(m);
        return { match: m, spec: o.spec, name: o.name };
      }
    }
    for (let j = matches.length - 1; j >= 0; j--) {
      if (MATCHES[matches[j]!.module] === undefined) return { match: matches[j]!, spec: undefined, name };
    }
    return undefined;
  }
}

/** The option of target `name` called `option`, if the target is in the vocabulary and takes it. */
export function targetOption(name: string, option: string): { name: string; spec: OptionSpec } | undefined {
  const t = TARGETS[name];
  return t ? lookupOption(t, option) : undefined;
}

/** The structured view of a rule. Throws ShapeError for an option no match takes. */
export function shapeOf(rule: Rule): RuleShape {
  const b = new ShapeBuilder();
  for (const a of allArgs(rule)) b.add(a);
  if (rule.target) b.setTarget(rule.target);
  return b.shape;
}

/** The rule's comment, or the first `--comment` of a comment match written among its words. */
export function commentOfShape(shape: RuleShape): string | undefined {
  for (const m of shape.matches) {
    if (m.module !== 'comment') continue;
    const o = m.options.find((x) => x.name === '--comment');
    if (o) return o.values[0];
  }
  return undefined;
}
