/**
 * DiffResult → unified-diff text (`--format unified`): `---`/`+++` headers, one `@@` hunk per
 * changed chain naming its service port, and the rules as `-` and `+` lines, each in its own
 * dump's spelling. Put in a ```diff block of a pull-request comment, GitHub colours it as a
 * diff. A rule that moved within its chain is its `-` line at the old place and `+` at the new.
 */
import { totals } from './render.js';
import type { DiffResult } from './types.js';
import { terminalSafe } from '../util.js';

export function renderUnified(r: DiffResult): string {
  const out: string[] = [];
  for (const note of r.notes) out.push(`note: ${note}`);
  if (r.equal) {
    out.push(`${r.a} and ${r.b}: kube-proxy rules are the same`);
    return `${out.map(terminalSafe).join('\n')}\n`;
  }
  out.push(`--- ${r.a}`, `+++ ${r.b}`);
  for (const g of r.groups) {
    for (const ch of g.chains) {
      const only = ch.only === null ? '' : ` (chain only in ${ch.only === 'a' ? r.a : r.b})`;
      const where = `${g.servicePort ?? 'node-wide rules'}: ${ch.table} ${ch.chain}`;
      const changed = ch.lines.filter((l) => l.op !== '>');
      if (changed.length > 0) out.push(`@@ ${where}${only} @@`, ...changed.map((l) => `${l.op}${l.rule}`));
      // A move: its own hunk, saying from where to where.
      for (const l of ch.lines) {
        if (l.op === '>') out.push(`@@ ${where}: rule ${l.from} moved to rule ${l.to} @@`, `-${l.rule}`, `+${l.rule}`);
      }
    }
  }
  out.push(`# ${totals(r)}`);
  // A dump's rule or a file name may hold any character but a line break: none reaches the terminal raw.
  return `${out.map(terminalSafe).join('\n')}\n`;
}
