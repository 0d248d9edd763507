/**
 * Ruleset → Dump: the planned rules as the dump model that `diff` and `trace` read
 * (iptables/dump-types.ts), without printing them and reading the text back. Each rule gets
 * the line it has in the restore text (emit/iptables-save.ts), so that what the tracer reports
 * points into `kp-gen …` output as it would into a file.
 */
import type { ChainDump, Dump, DumpRule, TableDump } from '../iptables/dump-types.js';
import type { Rule } from '../iptables/rule.js';
import type { RuleShape } from '../iptables/shape.js';
import { restoreText } from '../iptables/restore.js';
import { shapeOf } from '../iptables/shape.js';
import { chainRules, type Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

/** A planned rule in the dump model; its text and shape are worked out when first asked for. */
class PlannedRule implements DumpRule {
  private restore: string | undefined;
  private shaped: RuleShape | undefined;

  constructor(
    readonly table: string,
    readonly chain: string,
    readonly line: number,
    readonly rule: Rule,
  ) {}

  get text(): string {
    if (this.restore === undefined) {
      const words = restoreText(this.rule);
      this.restore = words === '' ? `-A ${this.chain}` : `-A ${this.chain} ${words}`;
    }
    return this.restore;
  }

  get shape(): RuleShape {
    return (this.shaped ??= shapeOf(this.rule));
  }
}

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
      for (const rule of chainRules(c)) rules.push(new PlannedRule(t.name, c.name, ++line, rule));
    }
    line++; // COMMIT
    tables.set(t.name, { name: t.name, chains });
  }
  return { source, tables };
}
