/**
 * Rule words → Rule: the text after `-A CHAIN` in either form (kube-proxy's restore text, or
 * what a node's iptables-save prints), read as iptables reads it. The vocabulary says which
 * match takes each option and how many values follow; an option of a module outside the
 * vocabulary takes every word up to the next option. Aliases become their main names
 * (`--destination-port` → `--dport`, `--source` → `-s`), the old `--opt ! value` negation becomes
 * `! --opt value`, and the first comment match is kept apart, as the Rule type wants it.
 */
import { HEADER_ALIASES, type OptionSpec } from './vocabulary.js';
import type { Arg, HeaderFlag, OptionArg, Rule, Target } from './rule.js';
import { ShapeBuilder, targetOption, type RuleShape } from './shape.js';
import { tokenize, type Token } from './tokenize.js';

/** Words that are not a rule iptables would accept. */
export class RuleReadError extends Error {
  override readonly name = 'RuleReadError';
}

function isOption(t: Token | undefined): boolean {
  return t !== undefined && !t.quoted && t.text.length > 1 && t.text.startsWith('-');
}

function isBang(t: Token | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '!';
}

export interface ReadRule {
  rule: Rule;
  /** The structure iptables gives it (shape.ts), worked out while reading. */
  shape: RuleShape;
}

/** Read the words after `-A CHAIN` (already split by tokenize.ts). */
export function readRuleTokens(tokens: readonly Token[]): ReadRule {
  const args: Arg[] = [];
  const builder = new ShapeBuilder();
  let target: { name: string; goto: boolean; options: OptionArg[] } | undefined;
  let negate = false;
  let i = 0;

  /** The values of an option: `arity` words, or (undefined) all words up to the next option. */
  const values = (name: string, spec: OptionSpec | undefined): { values: string[]; negated: boolean } => {
    const out: string[] = [];
    let negated = false;
    // The old spelling `--mark ! 0x1`, still read by iptables.
    if (isBang(tokens[i]) && (spec === undefined || spec.arity > 0)) {
      negated = true;
      i++;
    }
    if (spec !== undefined) {
      for (let k = 0; k < spec.arity; k++) {
        const t = tokens[i];
        if (t === undefined || isBang(t) || (isOption(t) && k === 0 && spec.arity > 0 && !/^-[0-9]/.test(t.text))) {
          throw new RuleReadError(`${name} needs ${spec.arity === 1 ? 'a value' : `${spec.arity} values`}`);
        }
        out.push(t.text);
        i++;
      }
      return { values: out, negated };
    }
    while (i < tokens.length && !isOption(tokens[i]) && !isBang(tokens[i])) out.push(tokens[i++]!.text);
    return { values: out, negated };
  };

  while (i < tokens.length) {
    const t = tokens[i]!;
    if (isBang(t)) {
      if (negate) throw new RuleReadError('"!" twice');
      negate = true;
      i++;
      continue;
    }
    if (!isOption(t)) throw new RuleReadError(`unexpected word ${JSON.stringify(t.text)}`);
    const name = t.text;
    i++;
    const flag = HEADER_ALIASES[name] as HeaderFlag | undefined;
    if (target === undefined && flag !== undefined) {
      let value = '';
      let negated = negate;
      if (flag !== '-f') {
        const v = values(name, { arity: 1 });
        value = v.values[0]!;
        negated ||= v.negated;
      }
      const arg: Arg = { kind: 'header', flag, value, negated };
      args.push(arg);
      builder.add(arg);
    } else if (target === undefined && (name === '-m' || name === '--match')) {
      const v = tokens[i];
      if (v === undefined || isOption(v) || isBang(v)) throw new RuleReadError(`${name} needs a module name`);
      if (negate) throw new RuleReadError(`"!" before ${name}`);
      i++;
      const arg: Arg = { kind: 'match', module: v.text.toLowerCase() };
      args.push(arg);
      builder.add(arg);
    } else if (name === '-j' || name === '--jump' || name === '-g' || name === '--goto') {
      const v = tokens[i];
      if (v === undefined || isOption(v) || isBang(v)) throw new RuleReadError(`${name} needs a target`);
      if (target) throw new RuleReadError('more than one target');
      if (negate) throw new RuleReadError(`"!" before ${name}`);
      i++;
      target = { name: v.text, goto: name === '-g' || name === '--goto', options: [] };
    } else if (target !== undefined) {
      const known = targetOption(target.name, name);
      const v = values(name, known?.spec);
      target.options.push({ kind: 'option', name: known?.name ?? name, values: v.values, negated: negate || v.negated });
    } else {
      const owner = builder.owner(name);
      if (!owner) throw new RuleReadError(`option ${name} belongs to no match of the rule`);
      const v = values(name, owner.spec);
      const arg: OptionArg = { kind: 'option', name: owner.name, values: v.values, negated: negate || v.negated };
      args.push(arg);
      builder.addOption(arg, owner.match);
    }
    negate = false;
  }
  if (negate) throw new RuleReadError('"!" at the end of the rule');
  const t: Target | undefined = target;
  if (t) builder.setTarget(t);
  return { rule: withCommentApart(args, t), shape: builder.shape };
}

/** Read rule text (the part after `-A CHAIN`). */
export function readRule(text: string): ReadRule {
  return readRuleTokens(tokenize(text));
}

/** The first `-m comment --comment TEXT` taken out of the words into `comment`/`commentAt`. */
function withCommentApart(args: Arg[], target: Target | undefined): Rule {
  for (let k = 0; k + 1 < args.length; k++) {
    const m = args[k]!;
    const o = args[k + 1]!;
    if (m.kind !== 'match' || m.module !== 'comment') continue;
    if (o.kind !== 'option' || o.name !== '--comment' || o.negated || o.values.length !== 1) continue;
    const rest = [...args.slice(0, k), ...args.slice(k + 2)];
    const rule: Rule = { comment: o.values[0]!, args: rest, target };
    return k === 0 ? rule : { ...rule, commentAt: k };
  }
  return { args, target };
}
