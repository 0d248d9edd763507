/**
 * Ruleset → iptables-restore text, in the canonical order:
 *   *filter / chain declarations / rules / COMMIT / *nat / ... / COMMIT
 * Every line is its tokens joined by single spaces (kube-proxy's LineBuffer). The text is built
 * in chunks and joined once, so even 300k rules cost one large string.
 */
import type { Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

export function emitRestore(rs: Ruleset): string {
  const parts: string[] = [];
  for (const table of orderRuleset(rs)) {
    parts.push(`*${table.name}\n`);
    for (const chain of table.chains) parts.push(`:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`);
    for (const chain of table.chains) {
      const prefix = `-A ${chain.name}`;
      for (const rule of chain.rules) {
        parts.push(rule.args.length > 0 ? `${prefix} ${rule.args.join(' ')}\n` : `${prefix}\n`);
      }
    }
    parts.push('COMMIT\n');
  }
  return parts.join('');
}
