/**
 * Ruleset → Dump: the planned rules as the dump model that `diff` and `trace` read
 * (iptables/dump-types.ts). Each rule is held as its restore text (what `kp-gen` prints for
 * it) and read back only when asked for (the tracer reads the chains its packet passes, diff
 * the rules written differently from the other dump's): a 10k-Service ruleset has 400k rules,
 * and holding each as a Rule and a shape took more memory than generation itself. Each rule
 * gets the line it has in the restore text (emit/iptables-save.ts), so that what the tracer
 * reports points into `kp-gen …` output as it would into a file.
 *
 * For `diff --manifests`, the other dump is read first and given as `like`: a planned rule
 * written exactly as one of that dump's rules of the same chain is written, in kp-gen's
 * restore form or in iptables-save's form (save-output.ts), is that rule, and the dump made
 * here holds the other dump's rule object in its place. Diff then finds the two equal by their
 * words, and neither the planned rule's text nor its compare key is ever made: a node's dump
 * (iptables-save form) shares no written rule with kp-gen's restore text, and reading and
 * keying all 880k rules of a 10k-Service cluster cost more than generating them (README
 * "Performance").
 */
import type { ChainDump, Dump, DumpRule, TableDump } from '../iptables/dump-types.js';
import { ruleWords, ruleWordsAre, textRules } from '../iptables/dump.js';
import { restoreText } from '../iptables/restore.js';
import type { Rule } from '../iptables/rule.js';
import { saveText } from '../iptables/save.js';
import { ValueError } from '../iptables/values.js';
import { VocabularyError } from '../iptables/vocabulary.js';
import type { IPFamily } from '../model/ip.js';
import { chainRules, type Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';
import { saveJumpTargets } from './save-output.js';

/** The dump whose rules the planned ones may stand for, and the IP family of the plan (for the save form). */
export interface SpelledLike {
  dump: Dump;
  family: IPFamily;
}

/**
 * The rules of one chain of the other dump, each given out once, by its words. They mostly
 * come in the planned order, so the next one is tried first; the rest get a map at the first
 * rule that is not the next.
 */
class RulePool {
  private next = 0;
  private byWords: Map<string, DumpRule[]> | undefined;

  constructor(private readonly rules: readonly DumpRule[]) {}

  take(words: string): DumpRule | undefined {
    if (!this.byWords) {
      const r = this.rules[this.next];
      if (r === undefined) return undefined;
      if (ruleWordsAre(r, words)) {
        this.next++;
        return r;
      }
      this.byWords = new Map();
      for (let i = this.next; i < this.rules.length; i++) {
        const w = ruleWords(this.rules[i]!);
        const list = this.byWords.get(w);
        if (list) list.push(this.rules[i]!);
        else this.byWords.set(w, [this.rules[i]!]);
      }
    }
    return this.byWords.get(words)?.shift();
  }
}

/** A planned rule's save form, or undefined where the save printer has no word for it. */
function savedWords(rule: Rule, family: IPFamily, chains: ReadonlySet<string>): string | undefined {
  try {
    return saveText(rule, family, chains);
  } catch (e) {
    if (e instanceof VocabularyError || e instanceof ValueError) return undefined;
    throw e;
  }
}

/** The other dump's rule written as `rule` is in the save form, if any. */
function takeSaved(pool: RulePool, rule: Rule, family: IPFamily, chains: ReadonlySet<string>): DumpRule | undefined {
  const w = savedWords(rule, family, chains);
  return w === undefined ? undefined : pool.take(w);
}

export function rulesetDump(rs: Ruleset, source: string, like?: SpelledLike): Dump {
  const tables = new Map<string, TableDump>();
  let line = 0;
  // The form the other dump is written in, as last found: tried first for the next rule.
  let saveFirst = false;
  for (const t of orderRuleset(rs)) {
    line++; // *table
    const chains = new Map<string, ChainDump>();
    // In the order of t.chains (not looked up again by name: 100k lookups in a map that size
    // miss the CPU's caches).
    const made: ChainDump[] = [];
    for (const c of t.chains) {
      line++;
      const chain: ChainDump = { name: c.name, policy: c.builtin ? 'ACCEPT' : null, rules: [] };
      made.push(chain);
      chains.set(c.name, chain);
    }
    const other = like?.dump.tables.get(t.name);
    const jumpable = other ? saveJumpTargets(t) : undefined;
    for (let ci = 0; ci < t.chains.length; ci++) {
      const c = t.chains[ci]!;
      const chain = made[ci]!;
      const otherRules = other?.chains.get(c.name)?.rules;
      const pool = otherRules && otherRules.length > 0 ? new RulePool(otherRules) : undefined;
      // While the planned rules are the other dump's, in its order, no array of their own is
      // made: the chain then holds the other dump's (nothing changes a dump's arrays once read),
      // diff skips it at a glance, and no second array is kept.
      let rules: DumpRule[] | undefined;
      let alike = 0;
      /** The chain's rules held as text, made together from one string (textRules). */
      let own: { at: number; line: number; words: string }[] = [];
      for (const rule of chainRules(c)) {
        line++;
        let restore: string | undefined;
        let same: DumpRule | undefined;
        if (pool) {
          if (saveFirst) {
            same = takeSaved(pool, rule, like!.family, jumpable!);
            if (!same && (same = pool.take((restore = restoreText(rule))))) saveFirst = false;
          } else {
            same = pool.take((restore = restoreText(rule)));
            if (!same && (same = takeSaved(pool, rule, like!.family, jumpable!))) saveFirst = true;
          }
        }
        if (!rules && same !== undefined && same === otherRules![alike]) {
          alike++;
          continue;
        }
        rules ??= otherRules ? otherRules.slice(0, alike) : [];
        if (same) {
          rules.push(same);
        } else {
          // A place held for the rule made below, from the chain's text.
          rules.push(undefined as unknown as DumpRule);
          own.push({ at: rules.length - 1, line, words: restore ?? restoreText(rule) });
        }
      }
      if (rules && own.length > 0) {
        const made = textRules(t.name, c.name, source, own);
        for (let i = 0; i < own.length; i++) rules[own[i]!.at] = made[i]!;
        own = [];
      }
      chain.rules = rules ?? (alike === otherRules?.length ? otherRules : (otherRules ?? []).slice(0, alike));
    }
    line++; // COMMIT
    tables.set(t.name, { name: t.name, chains });
  }
  return { source, tables };
}
