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
import { ruleWords, textRule } from '../iptables/dump.js';
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
 * The rules of one chain of the other dump, each given out once, by its words. A short
 * chain (most are: one to three rules) is searched in place; a long one gets a map.
 */
class RulePool {
  private readonly taken: boolean[];
  private byWords: Map<string, DumpRule[]> | undefined;

  constructor(private readonly rules: readonly DumpRule[]) {
    this.taken = new Array<boolean>(rules.length).fill(false);
  }

  take(words: string): DumpRule | undefined {
    if (this.rules.length <= 16) {
      for (let i = 0; i < this.rules.length; i++) {
        if (!this.taken[i] && ruleWords(this.rules[i]!) === words) {
          this.taken[i] = true;
          return this.rules[i];
        }
      }
      return undefined;
    }
    if (!this.byWords) {
      this.byWords = new Map();
      for (const r of this.rules) {
        const w = ruleWords(r);
        const list = this.byWords.get(w);
        if (list) list.push(r);
        else this.byWords.set(w, [r]);
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

export function rulesetDump(rs: Ruleset, source: string, like?: SpelledLike): Dump {
  const tables = new Map<string, TableDump>();
  let line = 0;
  // The form the other dump is written in, as last found: tried first for the next rule.
  let saveFirst = false;
  for (const t of orderRuleset(rs)) {
    line++; // *table
    const chains = new Map<string, ChainDump>();
    for (const c of t.chains) {
      line++;
      chains.set(c.name, { name: c.name, policy: c.builtin ? 'ACCEPT' : null, rules: [] });
    }
    const other = like?.dump.tables.get(t.name);
    const jumpable = other ? saveJumpTargets(t) : undefined;
    for (const c of t.chains) {
      const rules = chains.get(c.name)!.rules;
      const otherRules = other?.chains.get(c.name)?.rules;
      const pool = otherRules && otherRules.length > 0 ? new RulePool(otherRules) : undefined;
      for (const rule of chainRules(c)) {
        line++;
        let restore: string | undefined;
        let same: DumpRule | undefined;
        if (pool) {
          const save = (): DumpRule | undefined => {
            const w = savedWords(rule, like!.family, jumpable!);
            return w === undefined ? undefined : pool.take(w);
          };
          if (saveFirst) {
            same = save();
            if (!same && (same = pool.take((restore = restoreText(rule))))) saveFirst = false;
          } else {
            same = pool.take((restore = restoreText(rule)));
            if (!same && (same = save())) saveFirst = true;
          }
        }
        rules.push(same ?? textRule(t.name, c.name, line, restore ?? restoreText(rule), source));
      }
    }
    line++; // COMMIT
    tables.set(t.name, { name: t.name, chains });
  }
  return { source, tables };
}
