/**
 * Ruleset → Dump: the planned rules as the dump model that `diff` and `trace` read
 * (iptables/dump-types.ts). Each rule is held as its restore text (what `kp-gen` prints for
 * it) and read back only when asked for (the tracer reads the chains its packet passes, diff
 * the rules written differently from the other dump's): a 10k-Service ruleset has 400k rules,
 * and holding each as a Rule and a shape took more memory than generation itself. Each rule
 * gets the line it has in the restore text (emit/iptables-save.ts), so that what the tracer
 * reports points into `kp-gen …` output as it would into a file.
 */
import type { ChainDump, Dump, TableDump } from '../iptables/dump-types.js';
import { textRule } from '../iptables/dump.js';
import { restoreText } from '../iptables/restore.js';
import { chainRules, type Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

export function rulesetDump(rs: Ruleset, source: string): Dump {
  const tables = new Map<string, TableDump>();
  let line = 0;
  for (const t of orderRuleset(rs)) {
    line++; // *table
    const chains = new Map<string, ChainDump>();
    for (const c of t.chains) {
      line++;
      chains.set(c.name, { name: c.name, policy: c.builtin ? 'ACCEPT' : null, rules: [] });
    }
    for (const c of t.chains) {
      const rules = chains.get(c.name)!.rules;
      for (const rule of chainRules(c)) rules.push(textRule(t.name, c.name, ++line, restoreText(rule), source));
    }
    line++; // COMMIT
    tables.set(t.name, { name: t.name, chains });
  }
  return { source, tables };
}
