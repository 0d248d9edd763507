/**
 * Ruleset → Dump: the planned rules as the dump model that `diff` and `trace` read
 * (iptables/dump-types.ts), without printing them and reading the text back. Each rule gets
 * the line it has in the restore text (emit/iptables-save.ts), so that what the tracer reports
 * points into `kp-gen …` output as it would into a file.
 */
import type { ChainDump, Dump, TableDump } from '../iptables/dump-types.js';
import { restoreText } from '../iptables/restore.js';
import { shapeOf } from '../iptables/shape.js';
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
      for (const rule of chainRules(c)) {
        const text = restoreText(rule);
        rules.push({ table: t.name, chain: c.name, line: ++line, text: text === '' ? `-A ${c.name}` : `-A ${c.name} ${text}`, rule, shape: shapeOf(rule) });
      }
    }
    line++; // COMMIT
    tables.set(t.name, { name: t.name, chains });
  }
  return { source, tables };
}
